import fc from "fast-check";
import { analyzeCondition, AssignmentPermission, ValueSet, parseCondition } from "../constructs/azure";

const ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const READER = "4633458b-17de-408a-b874-0445c86b69e6";
const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const ATTR = "Microsoft.Authorization/roleAssignments";
const ANY: ValueSet = { kind: "any" };
const only = (...values: string[]): ValueSet => ({ kind: "only", values });
const anyExcept = (...values: string[]): ValueSet => ({ kind: "anyExcept", values });

/** The portal's "constrain roles and principal types" template, for service principals. */
const PORTAL =
  `((!(ActionMatches{'${ATTR}/write'})) OR (@Request[${ATTR}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ACR_PULL}, ${READER}} AND @Request[${ATTR}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})) AND ` +
  `((!(ActionMatches{'${ATTR}/delete'})) OR (@Resource[${ATTR}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ACR_PULL}, ${READER}} AND @Resource[${ATTR}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))`;
const LIMITED: AssignmentPermission = {
  roles: only(READER, ACR_PULL),
  principalTypes: only("ServicePrincipal"),
  principalIds: ANY,
};
const UNLIMITED: AssignmentPermission = { roles: ANY, principalTypes: ANY, principalIds: ANY };

/** `(!(ActionMatches{verb})) OR (expression)`: the docs' shape of a condition on one action. */
const onAction = (verb: string, expression: string) => `((!(ActionMatches{'${ATTR}/${verb}'})) OR (${expression}))`;
const roleIs = (source: string, guids: string) =>
  `@${source}[${ATTR}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${guids}}`;

describe("parseCondition", () => {
  it("parses the portal template into actions and comparisons, keeping atoms as written", () => {
    const result = parseCondition(PORTAL);
    if (!result.ok) throw new Error(result.error);
    expect(result.node.kind).toBe("and");
    expect(parseCondition(`@request[${ATTR}:PrincipalId] forAnyOfAnyValues:GuidEquals {${OWNER}}`)).toEqual({
      ok: true,
      node: {
        kind: "compare",
        source: "request",
        attribute: `${ATTR}:PrincipalId`,
        quantifier: "forAnyOfAnyValues",
        operator: "GuidEquals",
        values: [{ text: OWNER, interpolated: false }],
      },
    });
    expect(parseCondition("not ActionMatches{'a'} && !SubOperationMatches{'Blob.List'}")).toEqual({
      ok: true,
      node: {
        kind: "and",
        operands: [
          { kind: "not", operand: { kind: "action", function: "ActionMatches", pattern: "a" } },
          { kind: "not", operand: { kind: "action", function: "SubOperationMatches", pattern: "Blob.List" } },
        ],
      },
    });
  });

  it("reads Terraform interpolations, nested braces and quotes included, as values", () => {
    const result = parseCondition(
      `@Request[${ATTR}:PrincipalId] ForAnyOfAnyValues:GuidNotEquals {\${azurerm_user_assigned_identity.d.principal_id}, '\${lookup({a = "}'"}, "a")}', \${var.x}}`,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.node.kind === "compare" && result.node.values).toEqual([
      { text: "${azurerm_user_assigned_identity.d.principal_id}", interpolated: true },
      { text: `\${lookup({a = "}'"}, "a")}`, interpolated: true },
      { text: "${var.x}", interpolated: true },
    ]);
    expect(parseCondition("Exists @Request[x:y] OR NOT Exists @Resource[x:z]").ok).toBe(true);
  });

  it.each([
    ["", 0],
    ["   \n", 4],
    ["(ActionMatches{'a'}", 19],
    ["ActionMatches{'a'})", 18],
    ["ActionMatches{'a'} AND ActionMatches{'b'} OR ActionMatches{'c'}", 42],
    ["@Request[a:b] GuidEquals {}", 26],
    ["@Request[a:b] GuidEquals {x y}", 28],
    ["@Request[a:b] GuidEquals AND x", 25],
    ["@Request[a:b] A:B:GuidEquals x", 14],
    ["@Request[a:b GuidEquals x", 0],
    ["ActionMatches{'a}", 14],
    ["@Request[a:b] GuidEquals {${var.x", 26],
    ["@Request[a:b] GuidEquals {${var.x}", 34],
    ["ActionMatches{'a'} # x", 19],
    ["ActionMatches{a}", 14],
  ])("rejects %j at position %d", (text, position) => {
    const result = parseCondition(text);
    expect(result).toMatchObject({ ok: false, position });
    expect(!result.ok && result.error).toEqual(expect.any(String));
  });

  it("never throws on arbitrary input", () => {
    const pieces = [
      "(",
      ")",
      "{",
      "}",
      ",",
      "!",
      "&&",
      "||",
      " AND ",
      " or ",
      "NOT ",
      "'",
      "${",
      '"',
      "@Request[a:b]",
      " GuidEquals ",
      "ActionMatches",
      "x",
      " ",
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 20 }),
        (parts) => typeof parseCondition(parts.join("")).ok === "boolean",
      ),
    );
  });
});

describe("analyzeCondition", () => {
  it("derives the roles and principal types of the portal template for write and delete", () => {
    expect(analyzeCondition(PORTAL)).toEqual({ parsed: true, write: LIMITED, delete: LIMITED });
  });

  it("gives the same answer for every spelling of the keywords and any whitespace", () => {
    const spellings = [
      PORTAL.replace(/ AND /g, " && ").replace(/ OR /g, " || "),
      PORTAL.replace(/!\(/g, "NOT (").replace(/ AND /g, " and ").replace(/ OR /g, " or "),
      PORTAL.replace(/!\(/g, "not(").replace(/ /g, "\n\t  ").replace(/\(/g, "( \n"),
    ];
    for (const text of spellings)
      expect(analyzeCondition(text)).toEqual({ parsed: true, write: LIMITED, delete: LIMITED });
  });

  it("limits nothing without a condition, or when it cannot parse one", () => {
    expect(analyzeCondition(undefined)).toEqual({ parsed: true, write: UNLIMITED, delete: UNLIMITED });
    expect(analyzeCondition("")).toEqual({ parsed: true, write: UNLIMITED, delete: UNLIMITED });
    const broken = analyzeCondition(PORTAL.slice(0, -1));
    expect(broken).toMatchObject({ parsed: false, write: UNLIMITED, delete: UNLIMITED });
    expect(broken.error).toMatch(/position/);
  });

  it.each([
    [
      "names the attribute only with StringLike",
      onAction("write", `@Request[${ATTR}:RoleDefinitionId] StringLike '*'`),
    ],
    [
      "ORs in a branch with no constraint",
      onAction("write", `${roleIs("Request", ACR_PULL)} OR ActionMatches{'${ATTR}/write'}`),
    ],
    [
      "ORs in an attribute it cannot judge",
      `${onAction("write", roleIs("Request", ACR_PULL))} OR @Request[${ATTR}:Other] StringEquals 'x'`,
    ],
    ["checks the request attribute on a delete only", onAction("delete", roleIs("Request", ACR_PULL))],
    ["puts an interpolated role in the list", onAction("write", roleIs("Request", `${ACR_PULL}, \${var.role_id}`))],
    [
      "guards the roles with SubOperationMatches",
      `(!(ActionMatches{'${ATTR}/write'} AND SubOperationMatches{'x'})) OR (${roleIs("Request", ACR_PULL)})`,
    ],
    [
      "negates an Equals-over-all that can never hold",
      onAction("write", `!(@Request[${ATTR}:RoleDefinitionId] ForAnyOfAllValues:GuidEquals {${ACR_PULL}, ${READER}})`),
    ],
    [
      "excludes a role with case-sensitive StringNotEquals",
      onAction("write", `@Request[${ATTR}:RoleDefinitionId] StringNotEquals '${OWNER.toUpperCase()}'`),
    ],
  ])("does not limit write roles when the condition %s", (_, condition) => {
    expect(analyzeCondition(condition).write.roles).toEqual(ANY);
  });

  it("limits only the write when the delete is left open (docs: constrain add role assignments)", () => {
    expect(analyzeCondition(onAction("write", roleIs("Request", `${READER}, ${ACR_PULL.toUpperCase()}`)))).toEqual({
      parsed: true,
      write: { ...UNLIMITED, roles: only(READER, ACR_PULL) },
      delete: UNLIMITED,
    });
  });

  it("matches wildcard action patterns case-insensitively", () => {
    const both = `(!(ActionMatches{'microsoft.authorization/ROLEASSIGNMENTS/*'})) OR (${roleIs("Request", ACR_PULL)})`;
    expect(analyzeCondition(both)).toMatchObject({ write: { roles: only(ACR_PULL) }, delete: { roles: ANY } });
    expect(analyzeCondition(`ActionMatches{'Microsoft.Storage/*'}`).delete).toEqual({
      roles: only(),
      principalTypes: only(),
      principalIds: only(),
    });
  });

  it("keeps exclusions, interpolated ones verbatim (docs: allow all except specific roles)", () => {
    const guids = `${OWNER}, F58310D9-A9F6-439A-9E8D-F62E7B41A168`;
    const condition = `${onAction("write", `@Request[${ATTR}:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${guids}} AND @Request[${ATTR}:PrincipalId] ForAnyOfAnyValues:GuidNotEquals {\${azurerm_user_assigned_identity.d.principal_id}}`)} AND ${onAction("delete", `@Resource[${ATTR}:RoleDefinitionId] GuidNotEquals ${OWNER} AND @Resource[${ATTR}:RoleDefinitionId] ForAllOfAllValues:GuidNotEquals {${READER}}`)}`;
    expect(analyzeCondition(condition)).toEqual({
      parsed: true,
      write: {
        roles: anyExcept(OWNER, "f58310d9-a9f6-439a-9e8d-f62e7b41a168"),
        principalTypes: ANY,
        principalIds: anyExcept("${azurerm_user_assigned_identity.d.principal_id}"),
      },
      delete: { ...UNLIMITED, roles: anyExcept(READER, OWNER) },
    });
  });

  it("drops an interpolated exclusion that another branch's allow-list might name", () => {
    const condition = onAction(
      "write",
      `${roleIs("Request", ACR_PULL)} OR @Request[${ATTR}:RoleDefinitionId] GuidNotEquals \${var.role_id}`,
    );
    expect(analyzeCondition(condition).write.roles).toEqual(ANY);
  });

  it("leaves write principal types open where an omitted principalType would pass", () => {
    const types = (operator: string) =>
      analyzeCondition(onAction("write", `@Request[${ATTR}:PrincipalType] ${operator} {'User'}`)).write.principalTypes;
    expect(types("ForAnyOfAnyValues:StringEqualsIgnoreCase")).toEqual(only("User"));
    expect(types("ForAllOfAnyValues:StringEqualsIgnoreCase")).toEqual(ANY);
    expect(types("StringEqualsIgnoreCase")).toEqual(ANY);
  });
});

/** Random conditions over small pools, checked against a brute-force evaluator of the documented semantics. */
describe("analyzeCondition soundness", () => {
  type Expr =
    | { readonly t: "and" | "or"; readonly ops: readonly Expr[] }
    | { readonly t: "not"; readonly op: Expr }
    | { readonly t: "fn"; readonly fn: string; readonly pattern: string }
    | {
        readonly t: "cmp";
        readonly source: string;
        readonly attribute: string;
        readonly quantifier?: string;
        readonly operator: string;
        readonly values: readonly string[];
        readonly braces: boolean;
      };
  type Style = { and: string; or: string; not: string; ws: string };
  type Req = { action: "write" | "delete"; role: string; type?: string; id: string };
  type Env = Record<string, string>;

  // Small pools, so that atoms often talk about the same values.
  const ROLES = [ACR_PULL, OWNER];
  const IDS = ["11111111-1111-1111-1111-111111111111"];
  const TYPES = ["User", "ServicePrincipal"];
  const VAR = "${var.a}";
  const cased = (s: string) => fc.constantFrom(s, s.toUpperCase(), s.toLowerCase());

  const literal = fc.oneof(
    fc.constantFrom(...ROLES, ...IDS).chain(cased),
    fc
      .constantFrom(...TYPES)
      .chain(cased)
      .map((t) => `'${t}'`),
    fc.constantFrom(VAR, `'${VAR}'`),
  );
  const OPERATORS = [
    "GuidEquals",
    "GuidNotEquals",
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringLike",
  ];
  const QUANTIFIERS = [undefined, "ForAnyOfAnyValues", "ForAllOfAnyValues", "ForAnyOfAllValues", "ForAllOfAllValues"];
  const comparison = (
    sources: string[],
    attributes: string[],
    { operators = OPERATORS, quantifiers = QUANTIFIERS, value = literal } = {},
  ): fc.Arbitrary<Expr> =>
    fc.record({
      t: fc.constant("cmp" as const),
      source: fc.constantFrom(...sources),
      attribute: fc.constantFrom(...attributes),
      quantifier: fc.constantFrom(...quantifiers),
      operator: fc.constantFrom(...operators),
      values: fc.array(value, { minLength: 1, maxLength: 2 }),
      braces: fc.boolean(),
    });
  const patterns = [
    `${ATTR}/write`,
    `${ATTR}/delete`,
    `${ATTR}/*`,
    "microsoft.authorization/*",
    "Microsoft.Storage/*",
    "*",
  ];
  const fn: fc.Arbitrary<Expr> = fc.record({
    t: fc.constant("fn" as const),
    fn: fc.constantFrom("ActionMatches", "ActionMatches", "SubOperationMatches"),
    pattern: fc.constantFrom(...patterns),
  });
  const tree = (atom: fc.Arbitrary<Expr>) =>
    fc.letrec<{ expr: Expr }>((tie) => ({
      expr: fc.oneof(
        { maxDepth: 4, depthIdentifier: "expr" },
        { arbitrary: atom, weight: 6 },
        { arbitrary: tie("expr").map((op): Expr => ({ t: "not", op })), weight: 1 },
        {
          arbitrary: fc
            .tuple(
              fc.constantFrom("and" as const, "or" as const),
              fc.array(tie("expr"), { minLength: 2, maxLength: 3 }),
            )
            .map(([t, ops]): Expr => ({ t, ops })),
          weight: 2,
        },
      ),
    })).expr;
  const style: fc.Arbitrary<Style> = fc.record({
    and: fc.constantFrom("AND", "and", "&&"),
    or: fc.constantFrom("OR", "Or", "||"),
    not: fc.constantFrom("!", "NOT ", "not"),
    ws: fc.constantFrom(" ", "\n  ", "\t"),
  });
  const request: fc.Arbitrary<Req> = fc
    .record({
      action: fc.constantFrom("write" as const, "delete" as const),
      role: fc.constantFrom(...ROLES, ACR_PULL.toUpperCase()),
      type: fc.constantFrom(undefined, ...TYPES, "user"),
      id: fc.constantFrom(...IDS),
    })
    .map((r) => (r.action === "delete" && !r.type ? { ...r, type: "Group" } : r)); // an existing assignment always has a type
  const env: fc.Arbitrary<Env> = fc
    .constantFrom(...ROLES, ...ROLES, ...IDS, ...TYPES)
    .map((value) => ({ [VAR]: value }));

  function render(e: Expr, s: Style): string {
    switch (e.t) {
      case "and":
      case "or":
        return `(${e.ops.map((op) => render(op, s)).join(`${s.ws}${s[e.t]}${s.ws}`)})`;
      case "not":
        return `${s.not}(${render(e.op, s)})`;
      case "fn":
        return `${e.fn}{'${e.pattern}'}`;
      case "cmp": {
        const values = e.braces || e.values.length > 1 ? `{${e.values.join(`,${s.ws}`)}}` : e.values[0];
        return `@${e.source}[${ATTR}:${e.attribute}]${s.ws}${e.quantifier ? `${e.quantifier}:` : ""}${e.operator}${s.ws}${values}`;
      }
    }
  }

  const unquote = (v: string) => (v.startsWith("'") ? v.slice(1, -1) : v);
  const equal = (ignoreCase: boolean, expected: boolean) => (l: string, r: string) =>
    (ignoreCase ? l.toLowerCase() === r.toLowerCase() : l === r) === expected;
  const COMPARE: Record<string, (l: string, r: string) => boolean> = {
    GuidEquals: equal(true, true),
    GuidNotEquals: equal(true, false), // the docs: GUID matching is case-insensitive
    StringEquals: equal(false, true),
    StringNotEquals: equal(false, false),
    StringEqualsIgnoreCase: equal(true, true),
    StringNotEqualsIgnoreCase: equal(true, false),
  };

  /** Azure's documented semantics; whatever the docs leave open is decided by `unknown`, so every possibility gets tried. */
  function holds(e: Expr, req: Req, vars: Env, unknown: (key: string) => boolean): boolean {
    switch (e.t) {
      case "and":
        return e.ops.every((op) => holds(op, req, vars, unknown));
      case "or":
        return e.ops.some((op) => holds(op, req, vars, unknown));
      case "not":
        return !holds(e.op, req, vars, unknown);
      case "fn":
        if (e.fn !== "ActionMatches") return unknown(JSON.stringify(e));
        return new RegExp(`^${e.pattern.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`, "i").test(
          `${ATTR}/${req.action}`,
        );
      case "cmp": {
        const key = JSON.stringify(e);
        const compare = COMPARE[e.operator];
        const available = e.source === (req.action === "write" ? "Request" : "Resource");
        const attribute: Record<string, string | undefined> = {
          RoleDefinitionId: req.role,
          PrincipalId: req.id,
          PrincipalType: req.type,
        };
        if (!compare || !available || !(e.attribute in attribute)) return unknown(key);
        const left = attribute[e.attribute] === undefined ? [] : [attribute[e.attribute] as string];
        const right = e.values.map((v) => vars[unquote(v)] ?? unquote(v));
        const [leftAll, rightAll] = e.quantifier
          ? [e.quantifier.startsWith("ForAll"), e.quantifier.endsWith("AllValues")]
          : [false, unknown(`${key}:right`)];
        if (!e.quantifier && left.length === 0) return unknown(`${key}:absent`);
        const test = (l: string) => (rightAll ? right.every((r) => compare(l, r)) : right.some((r) => compare(l, r)));
        return leftAll ? left.every(test) : left.some(test);
      }
    }
  }

  function admits(set: ValueSet, value: string | undefined, vars: Env): boolean {
    if (set.kind === "any") return true;
    if (value === undefined) return false; // an omitted principal type must leave the dimension open
    // A caller knows what its own interpolations name when it checks an exclusion, but an allow-list must be literal.
    const listed = (resolve: boolean) =>
      set.values.some((v) => ((resolve && vars[v]) || v).toLowerCase() === value.toLowerCase());
    return set.kind === "only" ? listed(false) : !listed(true);
  }

  function assertSound(conditions: fc.Arbitrary<Expr>): void {
    fc.assert(
      fc.property(
        conditions,
        style,
        fc.array(request, { minLength: 1, maxLength: 25 }),
        env,
        fc.func(fc.boolean()),
        (e, s, requests, vars, unknown) => {
          const result = analyzeCondition(render(e, s));
          expect(result.parsed).toBe(true);
          for (const req of requests.filter((r) => holds(e, r, vars, unknown))) {
            const allowed = result[req.action];
            expect({
              req,
              allowed,
              ok:
                admits(allowed.roles, req.role, vars) &&
                admits(allowed.principalTypes, req.type, vars) &&
                admits(allowed.principalIds, req.id, vars),
            }).toMatchObject({ ok: true });
          }
        },
      ),
      { numRuns: 400 },
    );
  }

  it("never derives sets that refuse a request the condition allows", () => {
    const anything = comparison(
      ["Request", "Resource", "Request", "Resource", "Principal"],
      ["RoleDefinitionId", "RoleDefinitionId", "PrincipalId", "PrincipalType", "Other"],
    );
    assertSound(tree(fc.oneof({ arbitrary: anything, weight: 2 }, fn)));
  });

  it("stays sound when many atoms constrain the write role", () => {
    const narrow = {
      operators: ["GuidEquals", "GuidNotEquals"],
      quantifiers: [undefined, "ForAnyOfAnyValues", "ForAnyOfAllValues"],
      value: fc.constantFrom(...ROLES, VAR),
    };
    assertSound(tree(comparison(["Request"], ["RoleDefinitionId"], narrow)));
  });
});
