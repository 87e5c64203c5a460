import { ConditionNode, ConditionValue, parseCondition } from "./parser";
import { foldCase, includes } from "../role-permissions";
import { ANY, Glob, globIncludes, ONE } from "../../core/glob";

/**
 * Compares two role-assignment conditions by what they mean, not how they are written: whether
 * every request the `newer` condition lets through, the `older` one lets through too. Written
 * differently but equal (spacing, `&&` for AND, operand order, redundant parentheses, double
 * negation, keyword case) is the same condition. The proof is sound and incomplete: `false` means
 * "not proved", which the diff treats as wider. A condition that does not parse proves nothing.
 */
export function conditionImplies(newer: string, older: string): boolean {
  const [n, o] = [canonical(newer), canonical(older)];
  if (!n || !o) return false;
  const budget = { steps: 0 };
  return implies(n, o, budget);
}

/** The condition's canonical form as text, or undefined when it does not parse. */
export function canonicalCondition(condition: string): string | undefined {
  const node = canonical(condition);
  return node && keyOf(node);
}

type Node =
  | { readonly kind: "and" | "or"; readonly operands: readonly Node[]; readonly key: string }
  | { readonly kind: "not"; readonly operand: Node; readonly key: string }
  | { readonly kind: "action"; readonly function: string; readonly pattern: string; readonly key: string }
  | {
      readonly kind: "compare";
      readonly source: string;
      readonly attribute: string;
      readonly quantifier: string;
      readonly operator: string;
      readonly values: readonly ConditionValue[];
      readonly key: string;
    };

const keyOf = (n: Node) => n.key;

function canonical(text: string): Node | undefined {
  let parsed;
  try {
    parsed = parseCondition(text);
  } catch {
    // A parser that gives up (a stack overflow on absurd nesting) proves nothing either.
    return undefined;
  }
  return parsed.ok ? normalize(parsed.node) : undefined;
}

/** Operators whose values compare without regard to case (Microsoft's condition operator reference). */
const CASE_INSENSITIVE = /ignorecase$|^guid/;

function normalize(node: ConditionNode): Node {
  switch (node.kind) {
    case "not": {
      const inner = normalize(node.operand);
      if (inner.kind === "not") return inner.operand;
      return { kind: "not", operand: inner, key: `!(${inner.key})` };
    }
    case "and":
    case "or": {
      const flat = node.operands.map(normalize).flatMap((o) => (o.kind === node.kind ? o.operands : [o]));
      const unique = [...new Map(flat.map((o) => [o.key, o])).values()].sort((a, b) =>
        a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
      );
      if (unique.length === 1) return unique[0];
      return { kind: node.kind, operands: unique, key: `${node.kind}(${unique.map(keyOf).join(",")})` };
    }
    case "action": {
      // Operation names are case-insensitive, as ActionMatches compares them.
      const fn = foldCase(node.function);
      const pattern = foldCase(node.pattern);
      return { kind: "action", function: fn, pattern, key: `${fn}{${JSON.stringify(pattern)}}` };
    }
    case "compare": {
      const operator = foldCase(node.operator);
      const lower = CASE_INSENSITIVE.test(operator);
      const values = [
        ...new Map(
          node.values.map((v) => {
            const value = lower && !v.interpolated ? { ...v, text: foldCase(v.text) } : v;
            return [value.text, value];
          }),
        ).values(),
      ].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
      const source = foldCase(node.source);
      const quantifier = foldCase(node.quantifier ?? "");
      const key = `@${source}[${node.attribute}] ${quantifier}:${operator} ${JSON.stringify(values.map((v) => v.text))}`;
      return { kind: "compare", source, attribute: node.attribute, quantifier, operator, values, key };
    }
  }
}

/** Beyond this many proof steps the answer is "not proved": sound, and bounded on hostile input. */
const MAX_STEPS = 100_000;

function implies(n: Node, o: Node, budget: { steps: number }): boolean {
  if (++budget.steps > MAX_STEPS) return false;
  if (n.key === o.key) return true;
  // Complete decompositions first: n ⇒ (a ∧ b) iff n ⇒ a and n ⇒ b; (a ∨ b) ⇒ o iff a ⇒ o and b ⇒ o.
  if (o.kind === "and") return o.operands.every((x) => implies(n, x, budget));
  if (n.kind === "or") return n.operands.every((x) => implies(x, o, budget));
  // Sufficient ones: one conjunct of n implies o, or n implies one disjunct of o.
  if (n.kind === "and" && n.operands.some((x) => implies(x, o, budget))) return true;
  if (o.kind === "or" && o.operands.some((x) => implies(n, x, budget))) return true;
  if (n.kind === "not" && o.kind === "not") return implies(o.operand, n.operand, budget);
  if (n.kind === "action" && o.kind === "action")
    return n.function === "actionmatches" && o.function === "actionmatches" && includes(o.pattern, n.pattern);
  if (n.kind === "compare" && o.kind === "compare") return compareImplies(n, o);
  return false;
}

type Compare = Extract<Node, { kind: "compare" }>;
/** Quantifiers under which "every value of n is covered by a value of o" makes n imply o. */
const COVERING_QUANTIFIERS = new Set(["", "foranyofanyvalues", "forallofanyvalues"]);
const EQUALS = new Set(["stringequals", "stringequalsignorecase", "guidequals", "stringlike"]);

/** One comparison implies another on the same attribute when each value it accepts the other accepts. */
function compareImplies(n: Compare, o: Compare): boolean {
  if (n.source !== o.source || n.attribute !== o.attribute || n.quantifier !== o.quantifier) return false;
  if (!COVERING_QUANTIFIERS.has(n.quantifier) || !EQUALS.has(n.operator) || !EQUALS.has(o.operator)) return false;
  // A plain operator compares one value; a list is only meaningful under a quantifier.
  if (n.quantifier === "" && (n.values.length !== 1 || o.values.length !== 1)) return false;
  if (n.values.length === 0) return false;
  return n.values.every((v) => o.values.some((w) => valueImplies(n.operator, v, o.operator, w)));
}

/** Whether every attribute value that `n v` accepts, `o w` accepts. */
function valueImplies(nOp: string, v: ConditionValue, oOp: string, w: ConditionValue): boolean {
  // An interpolation is opaque: only the same text under the same operator is the same value.
  if (v.interpolated || w.interpolated) return nOp === oOp && v.text === w.text;
  const guid = (op: string) => op === "guidequals";
  if (guid(nOp) || guid(oOp)) return guid(nOp) && guid(oOp) && v.text === w.text;
  const nLike = nOp === "stringlike";
  const nIgnore = nOp === "stringequalsignorecase";
  switch (oOp) {
    case "stringequals":
      return nOp === "stringequals" && v.text === w.text;
    case "stringequalsignorecase":
      // n's values were lower-cased when it ignores case too.
      return !nLike && (nIgnore ? v.text === w.text : foldCase(v.text) === w.text);
    case "stringlike": {
      // A case-sensitive glob: n's value (or pattern) must lie inside it.
      if (nIgnore) return false;
      const [outer, inner] = [likeTokens(w.text, true), likeTokens(v.text, nLike)];
      return outer !== undefined && inner !== undefined && globIncludes(outer, inner);
    }
  }
  return false;
}

/**
 * A value read as StringLike reads it (`\*` and `\?` literal), or as literal text when it is no
 * pattern. Undefined for a backslash before anything else: Microsoft defines no meaning for it.
 */
function likeTokens(text: string, pattern: boolean): Glob | undefined {
  if (!pattern) return [...text];
  const out: (string | typeof ONE | typeof ANY)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      const next = text[++i];
      if (next !== "*" && next !== "?") return undefined;
      out.push(next);
    } else out.push(c === "*" ? ANY : c === "?" ? ONE : c);
  }
  return out;
}
