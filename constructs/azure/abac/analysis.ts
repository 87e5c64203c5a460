import { ConditionNode, ConditionValue, parseCondition } from "./parser";

/**
 * What a role-assignment condition lets its holder assign or remove. The result over-approximates:
 * whatever Azure would allow is inside the derived sets; anything the analysis cannot decide
 * (unknown functions, other attributes, operators such as StringLike) counts as allowing everything.
 */

export type ValueSet =
  | { readonly kind: "any" } // unconstrained
  | { readonly kind: "only"; readonly values: readonly string[] } // exactly these
  | { readonly kind: "anyExcept"; readonly values: readonly string[] }; // values sorted: GUIDs lower-cased, known principal types canonical (others lower-cased), interpolations verbatim

export interface AssignmentPermission {
  readonly roles: ValueSet;
  readonly principalTypes: ValueSet;
  readonly principalIds: ValueSet;
}

export interface ConditionAllows {
  /** false when the condition could not be parsed: it then limits nothing */
  readonly parsed: boolean;
  readonly error?: string;
  /** What a roleAssignments/write request may carry, and what a roleAssignments/delete may remove. */
  readonly write: AssignmentPermission;
  readonly delete: AssignmentPermission;
}

type Dimension = keyof AssignmentPermission;
type Domain = { readonly kind: "any" } | { readonly kind: "in" | "notIn"; readonly values: ReadonlySet<string> };
type Box = Readonly<Record<Dimension, Domain>>;
/** A disjunction of boxes (role × principal type × principal id); [] is false. */
type Boxes = readonly Box[];
type CompareNode = Extract<ConditionNode, { kind: "compare" }>;

const DIMENSIONS: readonly Dimension[] = ["roles", "principalTypes", "principalIds"];
const ANY: Domain = { kind: "any" };
const FULL: Box = { roles: ANY, principalTypes: ANY, principalIds: ANY };
const TOP: Boxes = [FULL];
const FALSE: Boxes = [];
/** Beyond this many boxes a sub-formula is widened to TOP, which keeps the result sound. */
const MAX_BOXES = 512;

const ATTRIBUTES = new Map<string, Dimension>([
  ["microsoft.authorization/roleassignments:roledefinitionid", "roles"],
  ["microsoft.authorization/roleassignments:principaltype", "principalTypes"],
  ["microsoft.authorization/roleassignments:principalid", "principalIds"],
]);
const OPERATORS = new Map<string, { readonly equals: boolean; readonly caseSensitive: boolean }>([
  ["guidequals", { equals: true, caseSensitive: false }], // the docs: GUID matching is case-insensitive
  ["guidnotequals", { equals: false, caseSensitive: false }],
  ["stringequals", { equals: true, caseSensitive: true }],
  ["stringequalsignorecase", { equals: true, caseSensitive: false }],
  ["stringnotequals", { equals: false, caseSensitive: true }],
  ["stringnotequalsignorecase", { equals: false, caseSensitive: false }],
]);
/** How each side of a cross-product operator is quantified; a plain operator leaves both unknown. */
type Quantifier = "any" | "all" | "unknown";
const QUANTIFIERS = new Map<string, readonly [Quantifier, Quantifier]>([
  ["foranyofanyvalues", ["any", "any"]],
  ["forallofanyvalues", ["all", "any"]],
  ["foranyofallvalues", ["any", "all"]],
  ["forallofallvalues", ["all", "all"]],
]);
const PRINCIPAL_TYPES = new Map(
  ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"].map((t) => [t.toLowerCase(), t]),
);

/**
 * Per action: where its attributes come from (the docs list request attributes for write and
 * resource attributes for delete), and which of them a request may leave out: principalType is
 * optional when creating an assignment, and a missing value satisfies ForAllOf* vacuously.
 */
interface Profile {
  readonly action: string;
  readonly source: string;
  readonly optional: ReadonlySet<Dimension>;
}
const WRITE: Profile = {
  action: "Microsoft.Authorization/roleAssignments/write",
  source: "request",
  optional: new Set(["principalTypes"]),
};
const DELETE: Profile = {
  action: "Microsoft.Authorization/roleAssignments/delete",
  source: "resource",
  optional: new Set(),
};

const UNLIMITED: AssignmentPermission = {
  roles: { kind: "any" },
  principalTypes: { kind: "any" },
  principalIds: { kind: "any" },
};

export function analyzeCondition(condition: string | undefined): ConditionAllows {
  if (condition === undefined || condition.trim() === "") return { parsed: true, write: UNLIMITED, delete: UNLIMITED };
  const result = parseCondition(condition);
  if (!result.ok) {
    return {
      parsed: false,
      error: `${result.error} (at position ${result.position})`,
      write: UNLIMITED,
      delete: UNLIMITED,
    };
  }
  return {
    parsed: true,
    write: permission(evaluate(result.node, false, WRITE)),
    delete: permission(evaluate(result.node, false, DELETE)),
  };
}

/** The requests for which `node` (negated when asked) may be true, pushing negations down to the atoms. */
function evaluate(node: ConditionNode, negated: boolean, profile: Profile): Boxes {
  switch (node.kind) {
    case "not":
      return evaluate(node.operand, !negated, profile);
    case "and":
    case "or": {
      const parts = node.operands.map((operand) => evaluate(operand, negated, profile));
      return (node.kind === "and") !== negated ? parts.reduce(intersect) : parts.reduce(unite);
    }
    case "action": {
      const matches = actionMatches(node.function, node.pattern, profile.action);
      return matches === undefined || matches !== negated ? TOP : FALSE;
    }
    case "compare":
      return compare(node, negated, profile);
  }
}

/** Only ActionMatches with `*` wildcards is decided; SubOperationMatches and the rest may go either way. */
function actionMatches(fn: string, pattern: string, action: string): boolean | undefined {
  if (fn.toLowerCase() !== "actionmatches" || pattern.includes("${") || pattern.includes("?")) return undefined;
  return wildcardMatches(pattern.toLowerCase(), action.toLowerCase());
}

/**
 * Whether `text` matches `pattern`, where `*` stands for any run of characters. Not a RegExp: a
 * pattern of many stars (`'**********x'`) makes a backtracking regex take minutes; this takes at
 * most pattern × text steps, retrying only from the last star.
 */
function wildcardMatches(pattern: string, text: string): boolean {
  let [p, t] = [0, 0];
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === "*") {
      [star, resume] = [p++, t];
    } else if (p < pattern.length && pattern[p] === text[t]) {
      [p, t] = [p + 1, t + 1];
    } else if (star >= 0) {
      [p, t] = [star + 1, ++resume];
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

function compare(node: CompareNode, negated: boolean, profile: Profile): Boxes {
  const dimension =
    node.source.toLowerCase() === profile.source ? ATTRIBUTES.get(node.attribute.toLowerCase()) : undefined;
  if (!dimension) return TOP;
  const truth = outcomes(node, dimension, profile.optional.has(dimension));
  const domain = negated ? truth.whenFalse : truth.whenTrue;
  return domain.kind === "any" ? TOP : [{ ...FULL, [dimension]: domain }];
}

/** The values of a single-valued attribute for which the comparison may be true, and may be false. */
function outcomes(
  node: CompareNode,
  dimension: Dimension,
  mayBeAbsent: boolean,
): { whenTrue: Domain; whenFalse: Domain } {
  const operator = OPERATORS.get(node.operator.toLowerCase());
  const quantifiers =
    node.quantifier === undefined ? (["unknown", "unknown"] as const) : QUANTIFIERS.get(node.quantifier.toLowerCase());
  if (!operator || !quantifiers || node.values.length === 0) return { whenTrue: ANY, whenFalse: ANY };
  const values = new Set(node.values.map((v) => normalize(v, dimension)));
  // One value on the left makes the left quantifier moot; one distinct value on the right makes both moot.
  const right = values.size === 1 ? "one" : quantifiers[1];
  const member: Domain = { kind: "in", values };
  const nonMember: Domain = { kind: "notIn", values };
  // Equals true, or NotEquals false, puts the value in S under every quantifier. The opposite
  // outcome excludes it from S only when exact: Equals over "all" of two distinct values is never
  // true, and NotEquals over "any" of them is always true, so their complements say nothing.
  const exactComplement = right === "one" || right === (operator.equals ? "any" : "all");
  let whenTrue = operator.equals ? member : exactComplement ? nonMember : ANY;
  let whenFalse = operator.equals ? (exactComplement ? nonMember : ANY) : member;
  const widen = (domain: Domain, kind: Domain["kind"]) => (domain.kind === kind ? ANY : domain);
  if (operator.caseSensitive) {
    // Case-sensitive inequality also holds for a differently-cased spelling of an excluded value.
    whenTrue = widen(whenTrue, "notIn");
    whenFalse = widen(whenFalse, "notIn");
  }
  if (node.values.some((v) => v.interpolated)) {
    // An interpolated value could name anything, so a set that must contain the value is unknown.
    whenTrue = widen(whenTrue, "in");
    whenFalse = widen(whenFalse, "in");
  }
  if (mayBeAbsent) {
    // On an empty attribute ForAnyOf* is false, ForAllOf* vacuously true, a plain operator unknown.
    if (quantifiers[0] !== "any") whenTrue = ANY;
    if (quantifiers[0] !== "all") whenFalse = ANY;
  }
  return { whenTrue, whenFalse };
}

function normalize(value: ConditionValue, dimension: Dimension): string {
  if (value.interpolated) return value.text;
  const lower = value.text.toLowerCase();
  return dimension === "principalTypes" ? (PRINCIPAL_TYPES.get(lower) ?? lower) : lower;
}

function unite(a: Boxes, b: Boxes): Boxes {
  return tidy([...a, ...b]);
}

function intersect(a: Boxes, b: Boxes): Boxes {
  if (a.length * b.length > MAX_BOXES) return TOP;
  const boxes: Box[] = [];
  for (const x of a) {
    for (const y of b) {
      const box = {
        roles: meet(x.roles, y.roles),
        principalTypes: meet(x.principalTypes, y.principalTypes),
        principalIds: meet(x.principalIds, y.principalIds),
      };
      if (DIMENSIONS.every((d) => !isEmpty(box[d]))) boxes.push(box);
    }
  }
  return tidy(boxes);
}

/** Drops duplicate boxes, and collapses to TOP when a box is unconstrained or there are too many. */
function tidy(boxes: readonly Box[]): Boxes {
  if (boxes.some((box) => DIMENSIONS.every((d) => box[d].kind === "any"))) return TOP;
  const unique = new Map(boxes.map((box) => [JSON.stringify(DIMENSIONS.map((d) => describe(box[d]))), box]));
  return unique.size > MAX_BOXES ? TOP : [...unique.values()];
}

function describe(domain: Domain): string {
  return domain.kind === "any" ? "any" : `${domain.kind}:${[...domain.values].sort().join(",")}`;
}

function isEmpty(domain: Domain): boolean {
  return domain.kind === "in" && domain.values.size === 0;
}

/** Both constraints at once. Sets that must contain the value never hold interpolations, so literal comparison is exact enough. */
function meet(a: Domain, b: Domain): Domain {
  if (a.kind === "any") return b;
  if (b.kind === "any") return a;
  if (a.kind === "notIn" && b.kind === "notIn") return { kind: "notIn", values: new Set([...a.values, ...b.values]) };
  if (a.kind === "in" && b.kind === "in")
    return { kind: "in", values: new Set([...a.values].filter((v) => b.values.has(v))) };
  const [included, excluded] = a.kind === "in" ? [a, b] : [b, a];
  return { kind: "in", values: new Set([...included.values].filter((v) => !excluded.values.has(v))) };
}

/** Either constraint. An interpolated exclusion might name a value the other side allows, so it is dropped then. */
function join(a: Domain, b: Domain): Domain {
  if (a.kind === "any" || b.kind === "any") return ANY;
  if (a.kind === "in" && b.kind === "in") return { kind: "in", values: new Set([...a.values, ...b.values]) };
  if (a.kind === "notIn" && b.kind === "notIn")
    return { kind: "notIn", values: new Set([...a.values].filter((v) => b.values.has(v))) };
  const [included, excluded] = a.kind === "in" ? [a, b] : [b, a];
  const kept = [...excluded.values].filter(
    (v) => !included.values.has(v) && !(v.includes("${") && included.values.size > 0),
  );
  return { kind: "notIn", values: new Set(kept) };
}

function permission(boxes: Boxes): AssignmentPermission {
  const set = (d: Dimension): ValueSet => {
    if (boxes.length === 0) return { kind: "only", values: [] };
    const domain = boxes.map((box) => box[d]).reduce(join);
    if (domain.kind === "any" || (domain.kind === "notIn" && domain.values.size === 0)) return { kind: "any" };
    return { kind: domain.kind === "in" ? "only" : "anyExcept", values: [...domain.values].sort() };
  };
  return { roles: set("roles"), principalTypes: set("principalTypes"), principalIds: set("principalIds") };
}
