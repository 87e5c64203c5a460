/**
 * Parser for Azure role-assignment conditions (conditionVersion 2.0), following Microsoft's
 * "Azure role assignment condition format and syntax". Conditions built by this project may
 * still hold Terraform interpolations (`${...}`), so those are accepted wherever a value may be.
 * Input is bounded before it is read: a condition is hostile input when it comes from hand-written
 * JSON, and neither its length nor its nesting may cost more than Azure would accept.
 */

/** "A condition can be up to 8 KB long" (Microsoft Learn, FAQ for Azure role assignment conditions), in UTF-8 bytes. */
export const MAX_CONDITION_BYTES = 8192;
/**
 * Parentheses, negations and interpolations nested in one another. Azure names no limit; real
 * conditions nest four or five deep (onlyAssignRoles: four), so this is far above any of them and
 * far below what would exhaust the stack of the parser or of the analyses that walk its tree.
 */
export const MAX_CONDITION_DEPTH = 64;

export type ConditionValue = {
  readonly text: string;
  /** contains a Terraform interpolation `${...}` */
  readonly interpolated: boolean;
};

export type ConditionNode =
  | { readonly kind: "and" | "or"; readonly operands: readonly ConditionNode[] }
  | { readonly kind: "not"; readonly operand: ConditionNode }
  | {
      readonly kind: "action";
      readonly function: string /* ActionMatches | SubOperationMatches | other */;
      readonly pattern: string;
    }
  | {
      readonly kind: "compare";
      readonly source: string /* Request | Resource | Principal | Environment ... */;
      readonly attribute: string;
      readonly quantifier?: string;
      readonly operator: string;
      readonly values: readonly ConditionValue[];
    };

/** Which bound a refused condition exceeds. */
export type ConditionLimit = "length" | "depth";

export type ParseResult =
  | { readonly ok: true; readonly node: ConditionNode }
  | { readonly ok: false; readonly error: string; readonly position: number; readonly limit?: ConditionLimit };

type Punctuation = "(" | ")" | "{" | "}" | "," | "!" | "&&" | "||";
interface Token {
  readonly kind: Punctuation | "string" | "word" | "attribute" | "end";
  /** string: the content between the quotes; attribute: `Source[name]`; otherwise as written */
  readonly text: string;
  readonly pos: number;
}

class ParseFailure {
  constructor(
    readonly message: string,
    readonly position: number,
    readonly limit?: ConditionLimit,
  ) {}
}

const tooDeep = (position: number) =>
  new ParseFailure(
    `the condition nests more than ${MAX_CONDITION_DEPTH} levels deep (parentheses, negations and interpolations)`,
    position,
    "depth",
  );

/** Characters of bare words: operators, function names, GUIDs, numbers, booleans. */
const WORD_CHAR = /[A-Za-z0-9._:\-/+]/;
const ATTRIBUTE_START = /@([A-Za-z]+)\[/y;

export function parseCondition(text: string): ParseResult {
  const bytes = utf8Length(text);
  if (bytes > MAX_CONDITION_BYTES)
    return {
      ok: false,
      error: `the condition is ${bytes} bytes long; Azure accepts at most ${MAX_CONDITION_BYTES} (8 KB)`,
      position: MAX_CONDITION_BYTES,
      limit: "length",
    };
  try {
    const parser = new Parser(tokenize(text));
    const node = parser.parseExpression();
    parser.expectEnd();
    return { ok: true, node };
  } catch (e) {
    if (e instanceof ParseFailure)
      return { ok: false, error: e.message, position: e.position, ...(e.limit ? { limit: e.limit } : {}) };
    throw e;
  }
}

/** Why Azure or the analysis cannot take the condition at all (too long, too deep); undefined when it can. */
export function conditionBoundsProblem(text: string): string | undefined {
  const result = parseCondition(text);
  return !result.ok && result.limit ? result.error : undefined;
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const pos = i;
    const two = src.slice(i, i + 2);
    if (/\s/.test(c)) {
      i++;
    } else if (two === "&&" || two === "||") {
      tokens.push({ kind: two, text: two, pos });
      i += 2;
    } else if ("(){},!".includes(c)) {
      tokens.push({ kind: c as Punctuation, text: c, pos });
      i++;
    } else if (c === "'") {
      i = pos + 1;
      while (src[i] !== "'") {
        if (i >= src.length) throw new ParseFailure("unterminated string literal", pos);
        i = src.startsWith("${", i) ? skipInterpolation(src, i) : i + 1;
      }
      tokens.push({ kind: "string", text: src.slice(pos + 1, i), pos });
      i++;
    } else if (c === "@") {
      ATTRIBUTE_START.lastIndex = i;
      const close = ATTRIBUTE_START.test(src) ? src.indexOf("]", ATTRIBUTE_START.lastIndex) : -1;
      if (close < 0) throw new ParseFailure("expected an attribute such as @Request[name]", pos);
      tokens.push({ kind: "attribute", text: src.slice(pos + 1, close + 1), pos });
      i = close + 1;
    } else if (WORD_CHAR.test(c) || two === "${") {
      while (i < src.length && (WORD_CHAR.test(src[i]) || src.startsWith("${", i))) {
        i = src[i] === "$" ? skipInterpolation(src, i) : i + 1;
      }
      tokens.push({ kind: "word", text: src.slice(pos, i), pos });
    } else {
      throw new ParseFailure(`unexpected character '${c}'`, pos);
    }
  }
  tokens.push({ kind: "end", text: "", pos: src.length });
  return tokens;
}

/** From the `$` of `${`, returns the index just past its matching `}`; braces in Terraform strings do not count. */
function skipInterpolation(src: string, start: number, nesting = 1): number {
  if (nesting > MAX_CONDITION_DEPTH) throw tooDeep(start);
  let depth = 0;
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '"') i = skipTerraformString(src, i, nesting);
    else if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) return i + 1;
  }
  throw new ParseFailure("unterminated Terraform interpolation", start);
}

/** From an opening `"` inside an interpolation, returns the index of the closing `"`. */
function skipTerraformString(src: string, start: number, nesting: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src.startsWith("${", i)) i = skipInterpolation(src, i, nesting + 1) - 1;
    else if (src[i] === '"') return i;
  }
  throw new ParseFailure("unterminated string inside a Terraform interpolation", start);
}

function isKeyword(token: Token, keyword: "and" | "or" | "not" | "exists"): boolean {
  return token.kind === "word" && token.text.toLowerCase() === keyword;
}

function connective(token: Token): "and" | "or" | undefined {
  if (token.kind === "&&" || isKeyword(token, "and")) return "and";
  if (token.kind === "||" || isKeyword(token, "or")) return "or";
  return undefined;
}

function describe(token: Token): string {
  if (token.kind === "end") return "end of input";
  return token.kind === "string" ? `'${token.text}'` : `"${token.text}"`;
}

function valueOf(token: Token): ConditionValue {
  return { text: token.text, interpolated: token.text.includes("${") };
}

class Parser {
  private index = 0;
  /** Parentheses and negations open around the current token. */
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /**
   * A chain of operands joined by one connective. The docs call `a AND b OR c` ambiguous and
   * require parentheses, so a chain mixing AND and OR is rejected rather than given a guessed precedence.
   */
  parseExpression(): ConditionNode {
    const operands = [this.parseUnary()];
    let chain: "and" | "or" | undefined;
    for (let next = connective(this.peek()); next; next = connective(this.peek())) {
      if (chain && next !== chain) {
        throw new ParseFailure(
          "AND and OR mixed without parentheses; the evaluation order is ambiguous",
          this.peek().pos,
        );
      }
      chain = next;
      this.index++;
      operands.push(this.parseUnary());
    }
    return chain ? { kind: chain, operands } : operands[0];
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== "end")
      throw new ParseFailure(`unexpected ${describe(token)} after the end of the condition`, token.pos);
  }

  private parseUnary(): ConditionNode {
    if (this.peek().kind === "!" || isKeyword(this.peek(), "not")) {
      const operand = this.nested(this.take().pos, () => this.parseUnary());
      return { kind: "not", operand };
    }
    return this.parsePrimary();
  }

  /** Parses one level deeper, refusing past the bound before the stack can run out. */
  private nested(position: number, parse: () => ConditionNode): ConditionNode {
    if (++this.depth > MAX_CONDITION_DEPTH) throw tooDeep(position);
    const node = parse();
    this.depth--;
    return node;
  }

  private parsePrimary(): ConditionNode {
    const token = this.take();
    if (token.kind === "(") {
      const inner = this.nested(token.pos, () => this.parseExpression());
      this.expect(")");
      return inner;
    }
    if (token.kind === "attribute") return this.parseComparison(token);
    if (token.kind === "word" && this.peek().kind === "{") {
      this.index++;
      const pattern = this.expect("string");
      this.expect("}");
      return { kind: "action", function: token.text, pattern: pattern.text };
    }
    if (isKeyword(token, "exists") && this.peek().kind === "attribute") {
      return { kind: "compare", ...attributeOf(this.take()), operator: token.text, values: [] };
    }
    throw new ParseFailure(`expected an expression but found ${describe(token)}`, token.pos);
  }

  private parseComparison(attribute: Token): ConditionNode {
    const operator = this.take();
    const parts = operator.text.split(":");
    if (operator.kind !== "word" || connective(operator) || parts.length > 2 || parts.some((p) => p === "")) {
      throw new ParseFailure(`expected a comparison operator but found ${describe(operator)}`, operator.pos);
    }
    const values: ConditionValue[] = [];
    if (this.peek().kind === "{") {
      this.index++;
      for (;;) {
        values.push(this.parseValue());
        const separator = this.take();
        if (separator.kind === "}") break;
        if (separator.kind !== ",")
          throw new ParseFailure(`expected ',' or '}' but found ${describe(separator)}`, separator.pos);
      }
    } else {
      values.push(this.parseValue());
    }
    const [quantifier, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    return {
      kind: "compare",
      ...attributeOf(attribute),
      ...(quantifier ? { quantifier } : {}),
      operator: name,
      values,
    };
  }

  private parseValue(): ConditionValue {
    const token = this.take();
    const keyword = isKeyword(token, "and") || isKeyword(token, "or") || isKeyword(token, "not");
    if (token.kind === "string" || (token.kind === "word" && !keyword)) return valueOf(token);
    throw new ParseFailure(`expected a value but found ${describe(token)}`, token.pos);
  }

  private expect(kind: Token["kind"]): Token {
    const token = this.take();
    if (token.kind !== kind)
      throw new ParseFailure(
        `expected ${kind === "string" ? "a quoted string" : `'${kind}'`} but found ${describe(token)}`,
        token.pos,
      );
    return token;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  /** Consumes a token; never moves past the end token. */
  private take(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== "end") this.index++;
    return token;
  }
}

function attributeOf(token: Token): { source: string; attribute: string } {
  const open = token.text.indexOf("[");
  return { source: token.text.slice(0, open), attribute: token.text.slice(open + 1, -1) };
}
