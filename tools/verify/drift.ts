// The comparison of an access report (the code) with what Azure holds: pure, deterministic order.
import type { AccessReport } from "../../constructs";
import { tableCell as cell, byKeys } from "../../constructs/core";
import { findRoleByGuid } from "../../constructs/azure";
// Registers the shipped services, whose roles the catalog lookups read.
import "../../constructs/services";
import {
  isStrictAncestorScope,
  ListedAssignment,
  LiveAssignment,
  LiveEstate,
  LivePrincipal,
  sameScope,
  subscriptionOf,
} from "./live-estate";

type ReportGrant = AccessReport["grants"][number];

/** A grant of the code. */
export interface CodeGrant {
  readonly address: string;
  readonly role: string;
  readonly roleGuid: string;
  readonly target: string;
  readonly scopeId?: string;
}

/** A role assignment in Azure. */
export interface AzureGrant {
  readonly assignmentId: string;
  /** The catalog's name, or `role <GUID>` for a custom or uncatalogued role. */
  readonly role: string;
  readonly roleGuid: string;
  readonly scope: string;
}

export interface InheritedGrant extends AzureGrant {
  /** The code's narrower targets this broader assignment covers. */
  readonly covers: readonly string[];
}

/** The principal as Azure holds it, without its assignments (sorted into the lists below). */
export type PrincipalState =
  { readonly state: "found"; readonly principalId: string } | Exclude<LivePrincipal, { readonly state: "found" }>;

export interface IdentityDrift {
  readonly key: string;
  readonly name: string;
  readonly kind: string;
  readonly access: string;
  readonly resourceId?: string;
  readonly principal: PrincipalState;
  /** In the code, not in Azure (every grant, when the principal is gone). */
  readonly missing: readonly CodeGrant[];
  /** In Azure for this principal, not in the code. */
  readonly outsideCode: readonly AzureGrant[];
  /** In Azure at a broader scope than, and so covering, grants the code makes narrowly. */
  readonly inherited: readonly InheritedGrant[];
  /** Grants that cannot be looked up: no Azure id for their scope, or for the principal. */
  readonly cannotVerify: readonly CodeGrant[];
}

export interface OrphanedAssignment extends AzureGrant {
  readonly principalId: string;
  readonly principalType: string;
  /** The scope as the code names it. */
  readonly target: string;
}

export interface DriftReport {
  readonly environment: string;
  readonly subscriptionId?: string;
  /** Azure holds exactly the code's grants, and all could be verified. */
  readonly matches: boolean;
  readonly identities: readonly IdentityDrift[];
  /** Assignments at the code's scopes whose principal no longer exists in Entra. */
  readonly orphaned: readonly OrphanedAssignment[];
}

const lower = (s: string) => s.toLowerCase();
const roleGuidOf = (a: LiveAssignment) => lower(a.roleDefinitionId.split("/").pop() ?? "");

function azureGrant(a: LiveAssignment): AzureGrant {
  const roleGuid = roleGuidOf(a);
  return { assignmentId: a.id, role: findRoleByGuid(roleGuid)?.name ?? `role ${roleGuid}`, roleGuid, scope: a.scope };
}

const codeGrant = (g: ReportGrant): CodeGrant => ({
  address: g.address,
  role: g.role,
  roleGuid: g.roleGuid,
  target: g.target,
  ...(g.scopeId === undefined ? {} : { scopeId: g.scopeId }),
});

/**
 * Whether an assignment covers a scope from above. A management-group assignment has no id path
 * to the subscription; the listing that returned it says which subscriptions it applies to.
 */
function covers(a: ListedAssignment, scope: string): boolean {
  if (isStrictAncestorScope(a.scope, scope)) return true;
  const subscription = subscriptionOf(scope);
  return subscriptionOf(a.scope) === undefined && subscription !== undefined && a.listedFor.includes(subscription);
}

const byGrant = byKeys<CodeGrant>(
  (g) => g.target,
  (g) => g.role,
  (g) => g.address,
);
const byAssignment = byKeys<AzureGrant>(
  (a) => lower(a.scope),
  (a) => a.role,
  (a) => lower(a.assignmentId),
);

function identityDrift(
  identity: AccessReport["identities"][number],
  grants: readonly ReportGrant[],
  live: LivePrincipal,
): IdentityDrift {
  const own = grants.filter((g) => g.identity === identity.key).map(codeGrant);
  const base = {
    key: identity.key,
    name: identity.name,
    kind: identity.kind,
    access: identity.access,
    ...(identity.resourceId === undefined ? {} : { resourceId: identity.resourceId }),
  };
  const none = { missing: [], outsideCode: [], inherited: [], cannotVerify: [] };
  if (live.state === "gone") return { ...base, principal: live, ...none, missing: own.sort(byGrant) };
  if (live.state === "unverifiable") return { ...base, principal: live, ...none, cannotVerify: own.sort(byGrant) };
  const placed = own.filter((g) => g.scopeId !== undefined);
  const matched = new Set<string>();
  const missing = placed.filter((g) => {
    const found = live.assignments.find((a) => sameScope(a.scope, g.scopeId!) && roleGuidOf(a) === lower(g.roleGuid));
    if (found) matched.add(found.id);
    return !found;
  });
  const outsideCode: AzureGrant[] = [];
  const inherited: InheritedGrant[] = [];
  for (const a of live.assignments.filter((x) => !matched.has(x.id))) {
    const covered = placed.filter((g) => covers(a, g.scopeId!)).map((g) => g.target);
    if (covered.length === 0) outsideCode.push(azureGrant(a));
    else inherited.push({ ...azureGrant(a), covers: [...new Set(covered)].sort() });
  }
  return {
    ...base,
    principal: { state: live.state, principalId: live.principalId },
    missing: missing.sort(byGrant),
    outsideCode: outsideCode.sort(byAssignment),
    inherited: inherited.sort(byAssignment),
    cannotVerify: own.filter((g) => g.scopeId === undefined).sort(byGrant),
  };
}

export function compareEstate(report: AccessReport, live: LiveEstate): DriftReport {
  const identities: IdentityDrift[] = report.identities
    .map((identity) => identityDrift(identity, report.grants, live.principals.get(identity.key)!))
    .sort(
      byKeys(
        (i) => i.name,
        (i) => i.key,
      ),
    );
  const targetOf = (scope: string) => report.grants.find((g) => g.scopeId && sameScope(g.scopeId, scope))?.target;
  const orphans = new Map(
    live.atScopes
      .filter((a) => live.deletedObjects.has(lower(a.principalId)))
      .map((a): [string, OrphanedAssignment] => [
        lower(a.id),
        { ...azureGrant(a), principalId: a.principalId, principalType: a.principalType, target: targetOf(a.scope)! },
      ]),
  );
  const orphaned = [...orphans.values()].sort(
    byKeys(
      (o) => lower(o.scope),
      (o) => o.role,
      (o) => o.principalId,
      (o) => lower(o.assignmentId),
    ),
  );
  return {
    environment: report.environment,
    ...(report.subscriptionId === undefined ? {} : { subscriptionId: report.subscriptionId }),
    matches: identities.every((i) => !drifts(i)) && orphaned.length === 0,
    identities,
    orphaned,
  };
}

const drifts = (i: IdentityDrift) =>
  i.principal.state !== "found" ||
  i.missing.length + i.outsideCode.length + i.inherited.length + i.cannotVerify.length > 0;

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function summary(report: DriftReport): string {
  const all = report.identities;
  const sum = (f: (i: IdentityDrift) => number) => all.reduce((n, i) => n + f(i), 0);
  const parts = [
    count(
      sum((i) => i.missing.length),
      "grant missing",
      "grants missing",
    ),
    count(
      sum((i) => i.outsideCode.length),
      "grant made outside the code",
      "grants made outside the code",
    ),
    count(
      sum((i) => i.inherited.length),
      "grant inherited from a broader scope",
      "grants inherited from a broader scope",
    ),
    count(all.filter((i) => i.principal.state === "gone").length, "principal gone", "principals gone"),
    count(
      sum((i) => (i.principal.state === "unverifiable" ? 0 : i.cannotVerify.length)),
      "grant cannot be verified",
      "grants cannot be verified",
    ),
    count(
      all.filter((i) => i.principal.state === "unverifiable").length,
      "identity cannot be verified",
      "identities cannot be verified",
    ),
    count(report.orphaned.length, "orphaned role assignment"),
  ];
  return parts.filter((p) => !p.startsWith("0 ")).join(", ");
}

const scopeCell = (target: string, scopeId: string | undefined) =>
  scopeId === undefined ? cell(target) : `${cell(target)} (\`${scopeId}\`)`;

function identitySection(i: IdentityDrift): string[] {
  const lines = [`## ${i.name} (${i.kind}, ${i.access})`, "", `- Terraform: \`${i.key}\``];
  if (i.principal.state === "found")
    lines.push(`- Azure: ${i.resourceId ? `\`${i.resourceId}\`, ` : ""}principal \`${i.principal.principalId}\``);
  else if (i.principal.state === "gone") lines.push(`- **Principal gone**: ${i.principal.reason}.`);
  else lines.push(`- **Cannot verify**: ${i.principal.reason}.`);
  lines.push("", "| drift | role | scope | what it means |", "|---|---|---|---|");
  const why =
    i.principal.state === "gone"
      ? "in the code, not in Azure: its principal is gone"
      : "in the code, not in Azure: not applied yet, or deleted by hand";
  for (const g of i.missing) lines.push(`| missing | ${cell(g.role)} | ${scopeCell(g.target, g.scopeId)} | ${why} |`);
  for (const a of i.outsideCode)
    lines.push(
      `| outside the code | ${cell(a.role)} | \`${a.scope}\` | in Azure, not in the code: made by hand or by another tool; add it to the code or delete it |`,
    );
  for (const a of i.inherited)
    lines.push(
      `| inherited | ${cell(a.role)} | \`${a.scope}\` | covers ${cell(a.covers.join(", "))} that the code grants narrowly; delete it, or make it a grant of the code |`,
    );
  if (i.principal.state !== "unverifiable")
    for (const g of i.cannotVerify)
      lines.push(
        `| cannot verify | ${cell(g.role)} | ${cell(g.target)} | the access report has no Azure id for its scope: a name is known only to Terraform |`,
      );
  // A table with only its header says nothing: the bullet above is the finding.
  return (lines[lines.length - 1] === "|---|---|---|---|" ? lines.slice(0, -3) : lines).concat("");
}

/** The comparison for people: what differs per identity, then orphaned assignments. */
export function renderDrift(report: DriftReport): string {
  const { identities } = report;
  const subscription = report.subscriptionId ? ` (subscription \`${report.subscriptionId}\`)` : "";
  if (report.matches)
    return [
      `# Verify ${report.environment}: Azure matches the code`,
      "",
      `${count(identities.length, "identity", "identities")}${subscription}: every grant of the code is in Azure, Azure holds no other for these identities, and no role assignment at the code's scopes is held by a deleted principal.`,
      "",
    ].join("\n");
  const matching = identities.filter((i) => !drifts(i));
  const lines = [
    `# Verify ${report.environment}: Azure does not match the code`,
    "",
    `${count(identities.length - matching.length, "identity differs", "identities differ")} from the code${subscription}: ${summary(report)}.`,
    "",
  ];
  if (matching.length > 0) lines.push(`Match: ${matching.map((i) => i.name).join(", ")}.`, "");
  for (const i of identities.filter(drifts)) lines.push(...identitySection(i));
  if (report.orphaned.length > 0) {
    lines.push(
      "## Orphaned role assignments",
      "",
      "Held at the code's scopes by principals that no longer exist in Entra, left behind when an identity was deleted or recreated. Delete each (`az role assignment delete --ids <assignment>`): a recreated identity's assignment gets the same deterministic name, so Terraform fails on it with RoleAssignmentExists.",
      "",
      "| role | scope | deleted principal | assignment |",
      "|---|---|---|---|",
      ...report.orphaned.map(
        (o) =>
          `| ${cell(o.role)} | ${scopeCell(o.target, o.scope)} | ${o.principalType} \`${o.principalId}\` | \`${o.assignmentId}\` |`,
      ),
      "",
    );
  }
  return lines.join("\n");
}
