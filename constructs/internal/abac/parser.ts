/**
 * Parser for Azure role-assignment conditions (conditionVersion 2.0), following Microsoft's
 * "Azure role assignment condition format and syntax". Conditions built by this project may
 * still hold Terraform interpolations (`${...}`), so those are accepted wherever a value may be.
 */

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

export type ParseResult =
  | { readonly ok: true; readonly node: ConditionNode }
  | { readonly ok: false; readonly error: string; readonly position: number };

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
  ) {}
}

/** Characters of bare words: operators, function names, GUIDs, numbers, booleans. */
const WORD_CHAR = /[A-Za-z0-9._:\-/+]/;
const ATTRIBUTE_START = /@([A-Za-z]+)\[/y;

export function parseCondition(text: string): ParseResult {
  try {
    const parser = new Parser(tokenize(text));
    const node = parser.parseExpression();
    parser.expectEnd();
    return { ok: true, node };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.message, position: e.position };
    throw e;
  }
}

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
function skipInterpolation(src: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '"') i = skipTerraformString(src, i);
    else if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) return i + 1;
  }
  throw new ParseFailure("unterminated Terraform interpolation", start);
}

/** From an opening `"` inside an interpolation, returns the index of the closing `"`. */
function skipTerraformString(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src.startsWith("${", i)) i = skipInterpolation(src, i) - 1;
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
      this.index++;
      return { kind: "not", operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ConditionNode {
    const token = this.take();
    if (token.kind === "(") {
      const inner = this.parseExpression();
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
