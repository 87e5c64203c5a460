/**
 * A role-assignment condition is hostile input when it comes from hand-written JSON, and careless
 * input from a grant: the parser bounds its length (Azure's own 8 KB) and its nesting before it
 * reads it, a grant refuses it with our error, and a guardrail reports it as a finding (IG031),
 * never a RangeError or a hang.
 */
import { Testing } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Roles, ScopeTarget, StorageAccountTarget, UserAssignedIdentity, buildAccessReport } from "../constructs";
import {
  conditionBoundsProblem,
  MAX_CONDITION_BYTES,
  MAX_CONDITION_DEPTH,
  parseCondition,
  analyzeCondition,
} from "../constructs/azure";
import { findings } from "./guardrail-cases";
import { inRg, refusal, SUBSCRIPTION, testStack } from "./helpers";

const ACCOUNT = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/acct`;
const ATOM = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'docs'";
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** The atom inside `depth` parentheses. */
const nested = (depth: number) => `${"(".repeat(depth)}${ATOM}${")".repeat(depth)}`;
/** A valid condition of exactly `size` UTF-8 bytes, its container name padded with `pad` (1 to 4 bytes a character). */
function ofBytes(size: number, pad = "a"): string {
  const [head, tail] = [
    "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '",
    "'",
  ];
  const room = size - bytes(head) - bytes(tail);
  const padding = pad.repeat(Math.floor(room / bytes(pad))) + "a".repeat(room % bytes(pad));
  const condition = `${head}${padding}${tail}`;
  expect(bytes(condition)).toBe(size);
  return condition;
}
/** An interpolation `depth` deep: `${"${"x"}"}`. */
const interpolated = (depth: number): string => (depth === 0 ? "x" : `\${"${interpolated(depth - 1)}"}`);

// The example: today a RangeError from the parser.
const FORTY_THOUSAND = nested(40_000);

describe("the ABAC parser bounds what it reads", () => {
  it("refuses 40,000 nested parentheses for their length, without a RangeError", () => {
    expect(parseCondition(FORTY_THOUSAND)).toEqual({
      ok: false,
      error: `the condition is ${bytes(FORTY_THOUSAND)} bytes long; Azure accepts at most 8192 (8 KB)`,
      position: MAX_CONDITION_BYTES,
      limit: "length",
    });
  });

  it("takes a condition of exactly Azure's 8 KB, and refuses one byte more", () => {
    expect(parseCondition(ofBytes(MAX_CONDITION_BYTES)).ok).toBe(true);
    expect(parseCondition(ofBytes(MAX_CONDITION_BYTES + 1))).toMatchObject({ ok: false, limit: "length" });
  });

  it("counts the limit in UTF-8 bytes, not characters: two-byte and four-byte characters", () => {
    for (const pad of ["é", "😀"]) {
      const atLimit = ofBytes(MAX_CONDITION_BYTES, pad);
      expect(atLimit.length).toBeLessThan(MAX_CONDITION_BYTES);
      expect(parseCondition(atLimit).ok).toBe(true);
      expect(parseCondition(ofBytes(MAX_CONDITION_BYTES + 1, pad))).toMatchObject({ ok: false, limit: "length" });
    }
  });

  it("takes parentheses nested to the depth bound, and refuses one level more", () => {
    expect(parseCondition(nested(MAX_CONDITION_DEPTH)).ok).toBe(true);
    expect(parseCondition(nested(MAX_CONDITION_DEPTH + 1))).toEqual({
      ok: false,
      error: "the condition nests more than 64 levels deep (parentheses, negations and interpolations)",
      position: MAX_CONDITION_DEPTH,
      limit: "depth",
    });
  });

  it("bounds negations, by ! and by NOT, like parentheses", () => {
    for (const not of ["!", "NOT "]) {
      expect(parseCondition(`${not.repeat(MAX_CONDITION_DEPTH)}(${ATOM})`)).toMatchObject({
        ok: false,
        limit: "depth",
      });
      expect(parseCondition(`${not.repeat(MAX_CONDITION_DEPTH - 1)}(${ATOM})`).ok).toBe(true);
    }
  });

  it("bounds Terraform interpolations nested in one another", () => {
    const value = (depth: number) => `@Request[Microsoft.Storage/x:y] StringEquals '${interpolated(depth)}'`;
    expect(parseCondition(value(MAX_CONDITION_DEPTH)).ok).toBe(true);
    expect(parseCondition(value(MAX_CONDITION_DEPTH + 1))).toMatchObject({ ok: false, limit: "depth" });
    // Deep enough to overflow the old tokenizer's recursion, and still within 8 KB.
    expect(parseCondition(`@Request[a:b] StringEquals '${interpolated(1_500)}'`)).toMatchObject({ limit: "depth" });
  });

  it("refuses thousands of unclosed parentheses for their depth, not by running out of stack", () => {
    expect(parseCondition("(".repeat(8_000))).toMatchObject({ ok: false, limit: "depth" });
  });

  it("reads a wide condition of many atoms within the limit: width is not depth", () => {
    const wide = Array.from({ length: 80 }, () => ATOM).join(" AND ");
    expect(bytes(wide)).toBeLessThan(MAX_CONDITION_BYTES);
    expect(parseCondition(wide).ok).toBe(true);
    expect(analyzeCondition(wide).parsed).toBe(true);
  });

  it("says nothing of bounds for a condition that is only malformed (a NUL, a lone surrogate)", () => {
    for (const odd of [`${ATOM}\u0000`, `@Request[a:b] StringEquals '\ud800'`]) {
      expect(conditionBoundsProblem(odd)).toBeUndefined();
      expect(() => analyzeCondition(odd)).not.toThrow();
    }
    expect(parseCondition(`${ATOM}\u0000`)).toMatchObject({ ok: false, error: "unexpected character '\u0000'" });
  });

  it("matches a many-star action pattern in linear time (a backtracking RegExp took seconds)", () => {
    const started = Date.now();
    const allows = analyzeCondition(
      "(!(ActionMatches{'********Z'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7})",
    );
    expect(Date.now() - started).toBeLessThan(500);
    // `********Z` matches no role-assignment action, so the negation lets every write through.
    expect(allows.write.roles).toEqual({ kind: "any" });
    const matching = analyzeCondition(
      "(!(ActionMatches{'Microsoft.Authorization/**/w*e'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7})",
    );
    expect(matching.write.roles).toEqual({ kind: "only", values: ["acdd72a7-3385-48ef-bd42-f606fba81ae7"] });
  });
});

describe("a grant with a condition out of bounds", () => {
  function grantWith(expression: string, privileged = false) {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "reader", { name: "reader-id", ...inRg });
    const options = { reason: "reads the documents", condition: { expression, summary: "reads docs only" } };
    const grant = () =>
      privileged
        ? ScopeTarget.fromId(stack, `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg`).grant(
            identity,
            Roles.RoleBasedAccessControlAdministrator,
            options,
          )
        : StorageAccountTarget.fromId(stack, ACCOUNT).grant(identity, Roles.StorageBlobDataReader, options);
    return { stack, grant };
  }

  it("is refused with our error: the construct path, the condition shortened, the fix", () => {
    const { grant } = grantWith(FORTY_THOUSAND);
    const { constructPath, value, fix, message } = refusal(grant);
    expect(constructPath).toBe("test/reader");
    expect(value).toBe(`${"(".repeat(60)}… (${FORTY_THOUSAND.length} characters)`);
    expect(message).toContain(
      `IG031 condition-out-of-bounds: Storage Blob Data Reader for workload identity test/reader on ${ACCOUNT} has a condition no rule can judge: the condition is ${bytes(FORTY_THOUSAND)} bytes long; Azure accepts at most 8192 (8 KB)`,
    );
    expect(fix).toMatch(/format and syntax/);
    expect(message.length).toBeLessThan(1_000);
  });

  it("is refused when nested too deep within 8 KB", () => {
    expect(grantWith(nested(MAX_CONDITION_DEPTH + 1)).grant).toThrow(
      /IG031 condition-out-of-bounds: .* the condition nests more than 64 levels deep/,
    );
  });

  it("is refused for its bounds before RBAC Administrator is judged for what it may assign", () => {
    expect(grantWith(nested(MAX_CONDITION_DEPTH + 1), true).grant).toThrow(
      /^\[test\/reader\] IG031 condition-out-of-bounds: /,
    );
  });

  it("is accepted at the limit exactly, and the report reads it", () => {
    const { stack, grant } = grantWith(ofBytes(MAX_CONDITION_BYTES));
    expect(grant).not.toThrow();
    const report = buildAccessReport("dev", JSON.parse(Testing.synth(stack)));
    expect(report.grants.map((g) => [g.role, g.conditionAllows?.parsed])).toEqual([["Storage Blob Data Reader", true]]);
  });
});

describe("a hand-written assignment's condition out of bounds", () => {
  function handWritten(condition: unknown, role: { readonly guid: string } = Roles.StorageBlobDataReader) {
    const stack = testStack();
    const identity = new UserAssignedIdentity(stack, "raw-identity", { name: "raw-id", ...inRg });
    const assignment = new RoleAssignment(stack, "raw", {
      name: "0d6b3a8e-5f3c-5e1a-9b7d-2c4e6f8a0b1c",
      scope: ACCOUNT,
      roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${role.guid}`,
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
      conditionVersion: "2.0",
    });
    assignment.addOverride("condition", condition);
    return stack;
  }

  it("is a finding, not a crash, and the access report says it limits nothing", () => {
    const stack = handWritten(FORTY_THOUSAND);
    expect(findings(stack, "IG031")).toEqual([
      expect.objectContaining({
        address: "azurerm_role_assignment.raw",
        message: expect.stringMatching(/has a condition no rule can judge: the condition is 80\d{3} bytes long/),
        fix: expect.stringMatching(/format and syntax/),
      }),
    ]);
    const report = buildAccessReport("dev", JSON.parse(Testing.synth(stack)));
    expect(report.grants[0].conditionAllows?.parsed).toBe(false);
  });

  it("is a finding when nested too deep, and none at the depth bound or at 8 KB exactly", () => {
    expect(findings(handWritten(nested(MAX_CONDITION_DEPTH + 1)), "IG031")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("nests more than 64 levels deep") }),
    ]);
    expect(findings(handWritten(nested(MAX_CONDITION_DEPTH)), "IG031")).toEqual([]);
    expect(findings(handWritten(ofBytes(MAX_CONDITION_BYTES)), "IG031")).toEqual([]);
  });

  it("on RBAC Administrator: out of bounds, and so limiting nothing (IG001), without a crash", () => {
    const stack = handWritten(nested(1_000), Roles.RoleBasedAccessControlAdministrator);
    expect(findings(stack, "IG031")).toHaveLength(1);
    expect(findings(stack, "IG001")).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("the condition cannot be parsed (the condition nests"),
      }),
    ]);
  });

  it("on RBAC Administrator with a many-star action pattern: judged promptly, as limiting nothing", () => {
    const started = Date.now();
    const stack = handWritten(
      "((!(ActionMatches{'*********Z'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7-3385-48ef-bd42-f606fba81ae7}))",
      Roles.RoleBasedAccessControlAdministrator,
    );
    expect(findings(stack, "IG001")).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("written as an object rather than a string: no crash, and no bounds finding for what is only malformed", () => {
    const stack = handWritten({ nested: { deeper: ["(((("] } });
    expect(findings(stack, "IG031")).toEqual([]);
    expect(buildAccessReport("dev", JSON.parse(Testing.synth(stack))).grants[0].conditionAllows?.parsed).toBe(false);
  });
});
