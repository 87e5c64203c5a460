import { isDeepStrictEqual } from "node:util";
import { TerraformStack } from "cdktf";
import { findRoleByGuid, roleKey } from "../azure/role-catalog";
import { onStackSynthesis } from "../core/stack-synthesis";
import { tableCell as cell } from "../core/markdown";
import { Construct } from "constructs";
import {
  Assignment,
  block,
  EstateConversion,
  EstateModel,
  EstateSecretMigration,
  FederatedCredential,
  isConversion,
  MANAGED_IDENTITY_KINDS,
  parseReference,
  Principal,
  PrincipalKind,
  readEstate,
  Scope,
  TfResource,
} from "../estate/estate-model";
import { byKeys } from "../core/ordering";
import { isGuid } from "../azure/azure-ids";
import { azureIdOf, azureScopeId } from "../estate/azure-id-of";
import { auditCoverageOf } from "../estate/audit-coverage";
import {
  dataOperationsQuery,
  identifiersOf,
  keyUseQuery,
  SignInSource,
  tokenAcquisitionsQuery,
  UnqueryableValue,
} from "./kql";
import { isWorkspaceId, SIGN_IN_WORKSPACE_LOCAL } from "../estate/audit-catalog";
import type { Identifier } from "../azure/contract/audit";
import { analyzeCondition, AssignmentPermission, ValueSet } from "../azure/abac/analysis";
import { conditionLimitsRoles } from "../policy/condition-limits";
import { DATABASE_ACCESS_KIND, stepsOfGrants } from "../estate/database-access-outputs";
import { adminPathOf, networkTargetOf } from "../estate/network-paths";
import { KeyMigration, keyMigrationOf } from "../azure/contract/keys";
import { resourceTypeOfTerraform } from "../azure/contract/resource-types";
import { MigrationRecord, nextPhase } from "../policy/migration-record";

/**
 * Who can do what where, for reviewers: every identity with what it is attached to and what it
 * trusts, and every grant with its role, scope and the reason it is allowed. Derived from the
 * synthesized Terraform JSON, so hand-written assignments appear too.
 */
export interface AccessReport {
  readonly environment: string;
  /** The subscription the stack deploys into: its provider's, or else the one configureIdentityStack was given. */
  readonly subscriptionId?: string;
  /** The Log Analytics workspace the targets' data-access logs go to, when they all go to one (a literal id). */
  readonly auditWorkspace?: string;
  /**
   * The workspace that receives the tenant's managed-identity sign-ins, where the token-acquisition
   * queries run; absent when none does (the stack's `auditLogs.signInWorkspaceId`): then sign-ins
   * cannot be judged.
   */
  readonly signInWorkspace?: string;
  readonly identities: readonly ReportIdentity[];
  readonly grants: readonly ReportGrant[];
  /** Database users ARM cannot create: per database, the statements its Entra administrator runs after apply. */
  readonly databaseUsers: readonly ReportDatabaseUsers[];
  /**
   * The migrations the stack declares, sorted by construct path, then setting; absent when there
   * are none, so a report without migrations reads as before.
   */
  readonly migrations?: readonly ReportMigration[];
  /** Migration records in the stack's output that cannot be read (they accept nothing); absent when none. */
  readonly unreadableMigrations?: number;
}

export interface ReportMigration {
  readonly constructPath: string;
  readonly kind: "secret" | "conversion";
  readonly workload: string;
  readonly phase: string;
  /** The phase to advance to; absent in the final phase (keys-off, user-assigned). */
  readonly next?: string;
  readonly expires: string;
  readonly reason: string;
  /** Terraform addresses of the computes (and slots). */
  readonly computes: readonly string[];
  /** secret: the app setting migrated. */
  readonly setting?: string;
  /** secret, in dual: the secret the setting still holds, e.g. "primary_connection_string of azurerm_storage_account.legacy". */
  readonly secretInUse?: string;
  /** secret: the target whose keys the secret is. resourceId: its literal id when the report knows one. */
  readonly target?: { readonly address: string; readonly label: string; readonly resourceId?: string };
  /** secret: what to rotate or revoke once keys are off (from keyMigrationOf(type).revoke). */
  readonly revoke?: string;
  /** Report identity keys (ReportIdentity.key) that must carry the load: the holders, or the conversion's user-assigned identity. */
  readonly carriers: readonly string[];
  /** conversion: report identity keys of the system-assigned identities being dropped; [] for secret. */
  readonly retiring: readonly string[];
  readonly evidence: {
    /** secret: the Entra resource tokens are acquired for (sign-in logs' ResourceIdentity). Absent for a conversion (every sign-in counts). */
    readonly tokenResource?: { readonly appId: string; readonly displayName: string };
    /** secret: one KQL query per table at the target, run in the audit workspace, returning columns `requests` and `last`; or the service's stated gap. */
    readonly keyUse?:
      { readonly queries: readonly { readonly table: string; readonly query: string }[] } | { readonly gap: string };
  };
}

export interface ReportDatabaseUsers {
  /** The stack output that holds them (`terraform output -json <name>` fills in the principal ids). */
  readonly output: string;
  readonly system: string;
  readonly host: string;
  readonly database: string;
  /** How the administrator reaches the server to run the steps, from its network settings in the stack. */
  readonly adminPath: string;
  readonly steps: readonly { readonly database: string; readonly statements: string }[];
  /**
   * The steps as the output itself holds them, when they differ from what its grants call for: what
   * an administrator running `terraform output` would run (IG022 flags it; the access diff shows it).
   */
  readonly stepsAsWritten?: readonly { readonly database: string; readonly statements: string }[];
}

export interface ReportIdentity {
  /** The Terraform address; for a system-assigned identity `<compute address>#system`. */
  readonly key: string;
  readonly kind: PrincipalKind;
  /** Its Azure name (the compute's, for a system-assigned identity; `app/slot` for a slot's). */
  readonly name: string;
  /** Names it across renames of its construct: kind, resource group and name. */
  readonly stableKey: string;
  /** What replaces the principal when it changes: Azure name, resource group, location. */
  readonly replaceKey: string;
  readonly attachedTo: readonly string[];
  readonly federatedTrusts: readonly { readonly issuer: string; readonly subject: string }[];
  /** Who runs as it: a workload, or people (a group or user: developer access). */
  readonly access: Access;
  /** Its Azure resource id built from names (the compute's, for a system-assigned identity): what `verify` reads. */
  readonly resourceId?: string;
  /** The object id, for a principal the code names by id (a group, user or service principal). */
  readonly principalId?: string;
  /** Ready-to-run KQL for the audit workspace: what the identity did, from the logs its grants turned on. */
  readonly queries?: IdentityQueries;
}

export interface IdentityQueries {
  /**
   * Its token acquisitions (Entra managed-identity sign-ins), per resource it asked a token for:
   * run in the report's `signInWorkspace`; absent when no workspace receives sign-ins.
   */
  readonly tokenAcquisitions?: string;
  /** Per logged target it holds a data role on: the operations it performed there, run in the audit workspace. */
  readonly dataOperations: readonly DataOperationsQuery[];
}

export interface DataOperationsQuery {
  readonly target: string;
  /** The resource (or database) the query reads the operations of. */
  readonly resourceId: string;
  readonly query: string;
  /** Which of the principal's identifiers the target's log names it by (`oid`, `appId`, `name`). */
  readonly identifiedBy: readonly Identifier[];
}

/** Workload access runs as a managed identity; developer access is people, through a group or a user. */
export type Access = "workload" | "developer";

const PEOPLE: ReadonlySet<PrincipalKind> = new Set(["Group", "User"]);
const accessOf = (kind: PrincipalKind): Access => (PEOPLE.has(kind) ? "developer" : "workload");

export interface ReportGrant {
  readonly address: string;
  /** Who authorizes it: `azure-rbac`, or the service's own data plane (`cosmos-db`, `redis`, `azure-sql`, `postgresql`). */
  readonly system: string;
  readonly identity: string;
  readonly role: string;
  readonly roleGuid: string;
  readonly plane: string;
  readonly scope: string;
  /** The scope as an Azure id, built from names; absent when a name is known only to Terraform. */
  readonly scopeId?: string;
  /** The scope as a person names it: `storage queue jobs of contosodevdata`. */
  readonly target: string;
  readonly scopeLevel: string;
  readonly condition?: string;
  /** For a conditioned grant: what the condition lets the holder assign and remove (role names where catalogued). */
  readonly conditionAllows?: ConditionSummary;
  /** Whether the condition provably limits what a privileged role may assign (the policy's test). */
  readonly conditionLimits?: boolean;
  /** Who holds the grant: a managed identity of the estate, or a principal it cannot vouch for. */
  readonly principalKind: PrincipalKind;
  readonly access: Access;
  /** Where its data access is logged: `AuditEvent to <workspace>`, or why it is not. Data roles only. */
  readonly audit?: string;
  /** A platform grant: what a compute of the stack needs it for (`node subnet of AKS cluster x`). */
  readonly platformUse?: string;
  readonly description?: string;
  readonly suppressions: readonly { readonly ruleId: string; readonly reason: string }[];
}

export interface PermissionSummary {
  readonly roles: ValueSet;
  readonly principalTypes: ValueSet;
  readonly principalIds: ValueSet;
}

export interface ConditionSummary {
  readonly parsed: boolean;
  readonly assign: PermissionSummary;
  readonly remove: PermissionSummary;
}

interface SuppressionLocal {
  readonly constructPath: string;
  readonly ruleId: string;
  readonly reason: string;
}

export function buildAccessReport(environment: string, stackJson: Readonly<Record<string, any>>): AccessReport {
  const estate = readEstate(stackJson);
  const suppressions = (stackJson.locals?.guardrail_suppressions ?? []) as SuppressionLocal[];
  const grants = estate.assignments.map((a) => reportGrant(a, estate, suppressions));
  const workspaces = new Set(
    estate.assignments.flatMap((a) => {
      const workspace = auditCoverageOf(a, estate)?.workspace;
      return workspace === undefined ? [] : [azureScopeId(workspace, estate) ?? workspace];
    }),
  );
  const principals = new Map<string, Principal>(estate.assignments.map((a) => [a.principal.key, a.principal]));
  const keys = new Set(grants.map((g) => g.identity));
  for (const identity of estate.identities) keys.add(identity.address);
  for (const compute of estate.computes) if (compute.systemAssigned) keys.add(`${compute.resource.address}#system`);
  // A trust on an identity that holds no grant here (read by a data source, or named by id) still lets someone in.
  for (const f of estate.federated) keys.add(trustedIdentity(f));
  const auditWorkspace = workspaces.size === 1 ? [...workspaces][0] : undefined;
  const signInWorkspace = signInWorkspaceOf(stackJson);
  const source: SignInSource =
    signInWorkspace === undefined
      ? { kind: "none" }
      : signInWorkspace.toLowerCase() === auditWorkspace?.toLowerCase()
        ? { kind: "here" }
        : { kind: "workspace", workspaceId: signInWorkspace };
  const identities = [...keys]
    .sort()
    .map((key) => withQueries(reportIdentity(key, principals.get(key)?.kind, estate), estate, source));
  return {
    environment,
    ...(estate.subscriptionId === undefined ? {} : { subscriptionId: estate.subscriptionId }),
    ...(auditWorkspace === undefined ? {} : { auditWorkspace }),
    ...(signInWorkspace === undefined ? {} : { signInWorkspace }),
    identities,
    databaseUsers: databaseUsersOf(stackJson, estate),
    grants: [...grants].sort(
      byKeys(
        (g) => g.identity,
        (g) => g.target,
        (g) => g.role,
      ),
    ),
    ...(estate.migrations.length > 0 ? { migrations: reportMigrations(estate) } : {}),
    ...(estate.unreadableMigrations > 0 ? { unreadableMigrations: estate.unreadableMigrations } : {}),
  };
}

function reportMigrations(estate: EstateModel): ReportMigration[] {
  return estate.migrations
    .map((m) => (isConversion(m) ? reportConversion(m) : reportSecretMigration(m as EstateSecretMigration, estate)))
    .sort(
      byKeys(
        (m) => m.constructPath,
        (m) => m.setting ?? "",
      ),
    );
}

/** What every migration says: where it is declared, its phase and the next one, and the day it is looked at again. */
function migrationTerms(record: MigrationRecord) {
  const next = nextPhase(record.kind, record.phase);
  return {
    constructPath: record.constructPath,
    kind: record.kind,
    workload: record.workload,
    phase: record.phase,
    ...(next === undefined ? {} : { next }),
    expires: record.expires,
    reason: record.reason,
    computes: [...record.computes],
  };
}

function reportConversion(m: EstateConversion): ReportMigration {
  return {
    ...migrationTerms(m.record),
    carriers: [m.userAssigned],
    retiring: m.record.computes.map((address) => `${address}#system`).sort(),
    evidence: {},
  };
}

function reportSecretMigration(m: EstateSecretMigration, estate: EstateModel): ReportMigration {
  const { record } = m;
  // A target the stack does not hold is named by its address alone: its type is all but the name.
  const type = m.target?.type ?? record.target.replace(/\.[^.]*$/, "");
  const keys = keyMigrationOf(type);
  const resourceId = m.target ? azureIdOf(m.target, estate) : undefined;
  const secretInUse = record.phase === "dual" ? secretInUseOf(m) : undefined;
  return {
    ...migrationTerms(record),
    setting: record.setting,
    ...(secretInUse === undefined ? {} : { secretInUse }),
    target: {
      address: record.target,
      label: `${resourceTypeOfTerraform(type)?.kind ?? type} ${nameOf(m.target, record.target)}`,
      ...(resourceId === undefined ? {} : { resourceId }),
    },
    ...(keys ? { revoke: keys.revoke } : {}),
    carriers: [...new Set(m.holders.map((h) => h.key))].sort(),
    retiring: [],
    evidence: {
      ...(keys ? { tokenResource: { ...keys.tokenResource } } : {}),
      keyUse: keyUseEvidence(keys, type, record.target, resourceId),
    },
  };
}

/**
 * What the migrated setting still holds, in words: the attribute it references, never a value
 * (a literal there is the secret itself).
 */
function secretInUseOf(m: EstateSecretMigration): string | undefined {
  const held = m.computes.flatMap((c) =>
    (c.settings ?? []).flatMap((settings) => {
      const value: unknown = settings[m.record.setting];
      if (typeof value !== "string") return [];
      const ref = parseReference(value);
      return [
        ref && ref.suffix === ""
          ? `${ref.attribute.replace(/^\./, "")} of ${ref.address}`
          : "a value written in the stack, not a reference to the target's secret",
      ];
    }),
  );
  return held.length === 0 ? undefined : [...new Set(held)].sort().join("; ");
}

/** The queries that tell whether the target still takes key requests, or why none can. */
function keyUseEvidence(
  keys: KeyMigration | undefined,
  type: string,
  address: string,
  resourceId: string | undefined,
): NonNullable<ReportMigration["evidence"]["keyUse"]> {
  if (!keys) return { gap: `no key-use evidence declared for ${type}` };
  if ("gap" in keys.keyUse) return { gap: keys.keyUse.gap };
  if (resourceId === undefined)
    return {
      gap: `the Azure id of ${address} is not known before apply (a name or resource group only Terraform knows, or another subscription's provider): no key-use query can name it`,
    };
  try {
    return { queries: keys.keyUse.map((log) => ({ table: log.table, query: keyUseQuery(log, resourceId) })) };
  } catch (e) {
    if (e instanceof UnqueryableValue)
      return { gap: `the Azure id of ${address} holds a control character: no query can name it` };
    throw e;
  }
}

/** The sign-in workspace the stack names, when it is a Log Analytics workspace id (`none` or anything else: none). */
function signInWorkspaceOf(stackJson: Readonly<Record<string, any>>): string | undefined {
  const value: unknown = stackJson.locals?.[SIGN_IN_WORKSPACE_LOCAL];
  return typeof value === "string" && isWorkspaceId(value) ? value : undefined;
}

function databaseUsersOf(stackJson: Readonly<Record<string, any>>, estate: EstateModel): ReportDatabaseUsers[] {
  return Object.entries<Record<string, any>>(stackJson.output ?? {})
    .filter(([, output]) => output?.value?.kind === DATABASE_ACCESS_KIND)
    .map(([output, { value }]) => ({
      ...stepsOf(value),
      output,
      system: String(value.system),
      host: String(value.host),
      database: String(value.database),
      adminPath: adminPathOf(
        estate.assignments
          .filter((a) => a.resource.address === `output.${output}`)
          .map((a) => networkTargetOf(a, estate))[0],
        estate,
      ),
    }))
    .sort(byKeys((d) => d.output));
}

type Step = { readonly database: string; readonly statements: string };

/**
 * The steps rebuilt from the grants (what the report prints, whatever the output was overridden to
 * say), and the output's own steps too when they differ, read as text whatever their shape.
 */
function stepsOf(value: Readonly<Record<string, unknown>>): { steps: Step[]; stepsAsWritten?: Step[] } {
  const steps = stepsOfGrants(value) ?? [];
  const text = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
  const written = Array.isArray(value.steps)
    ? value.steps.map((s: unknown) => {
        if (typeof s !== "object" || s === null) return { database: "", statements: text(s) };
        const step = s as Record<string, unknown>;
        return { database: text(step.database), statements: text(step.statements) };
      })
    : [{ database: "", statements: text(value.steps) }];
  return isDeepStrictEqual(written, steps) ? { steps } : { steps, stepsAsWritten: written };
}

/** A resource as a person names it. */
function nameOf(resource: TfResource | undefined, fallback: string): string {
  return typeof resource?.config.name === "string" ? resource.config.name : fallback;
}

function reportGrant(a: Assignment, estate: EstateModel, suppressions: readonly SuppressionLocal[]): ReportGrant {
  const guid = (a.role ? roleKey(a.role) : undefined) ?? /([0-9a-f-]{36})$/i.exec(a.roleWritten)?.[1] ?? a.roleWritten;
  const scopeId = azureScopeId(a.scope.raw, estate);
  const audit = auditText(a, estate);
  return {
    address: a.resource.address,
    system: a.system,
    identity: a.principal.key,
    role: a.role?.name ?? findRoleByGuid(guid)?.name ?? `unknown role ${a.roleWritten}`,
    roleGuid: guid,
    plane: a.role ? (a.role.broad ? "data (broad)" : a.role.plane) : "unknown",
    scope: a.scope.raw,
    ...(scopeId === undefined ? {} : { scopeId }),
    target: describeScope(a.scope, estate),
    scopeLevel: a.scope.level,
    condition: a.condition,
    // A condition limits only role assignment: it makes RBAC Administrator safe, never Owner.
    ...(a.condition === undefined
      ? {}
      : {
          conditionAllows: summarizeCondition(a.condition),
          conditionLimits:
            a.role?.privilegedUnlessConditioned === true && conditionLimitsRoles(a.condition, a.principal.raw).limits,
        }),
    principalKind: a.principal.kind,
    access: accessOf(a.principal.kind),
    ...(audit === undefined ? {} : { audit }),
    ...(a.platformUse === undefined ? {} : { platformUse: a.platformUse }),
    description: a.description,
    suppressions: suppressions
      .filter((s) => a.resource.path === s.constructPath || a.resource.path.startsWith(`${s.constructPath}/`))
      .map((s) => ({ ruleId: s.ruleId, reason: s.reason })),
  };
}

/** Where a data grant's access is logged, in words. */
function auditText(a: Assignment, estate: EstateModel): string | undefined {
  const coverage = auditCoverageOf(a, estate);
  if (!coverage) return undefined;
  const { point } = coverage;
  const gap = point.profile.gap ? `; ${point.profile.gap}` : "";
  if (point.profile.categories.length === 0) return `not logged: ${point.profile.gap}`;
  const problems = coverage.problems.length > 0 ? `; but ${coverage.problems.join("; ")}` : "";
  if (!coverage.setting) {
    const elsewhere = !point.rootId.toLowerCase().startsWith(`/subscriptions/${estate.subscriptionId?.toLowerCase()}/`);
    return elsewhere
      ? "not by this stack: the target is in another subscription, whose owner (or an admin-applied stack) logs it"
      : `not logged: the ${point.profile.kind} sends no data-access logs to a workspace${problems}`;
  }
  const workspace = azureScopeId(coverage.workspace!, estate)?.split("/").pop() ?? coverage.workspace;
  const sent = point.profile.categories.filter((c) => !coverage.missing.includes(c));
  const missing = coverage.missing.length > 0 ? `; not ${coverage.missing.join(", ")}` : "";
  return `${sent.join(", ")} to ${workspace}${missing}${problems}${gap}`;
}

/**
 * The identity's queries: a managed identity signs in under its name, which the code knows
 * (the ids exist only after apply), and each logged target it holds a data role on.
 */
function withQueries(identity: ReportIdentity, estate: EstateModel, source: SignInSource): ReportIdentity {
  if (identity.access !== "workload" || !MANAGED_IDENTITY_KINDS.has(identity.kind)) return identity;
  try {
    return { ...identity, queries: queriesOf(identity, estate, source) };
  } catch (e) {
    // A name an override filled with control characters is no Azure name: Azure refuses it at
    // apply, and no query can look for it, so the report offers none rather than failing the synth.
    if (e instanceof UnqueryableValue) return identity;
    throw e;
  }
}

function queriesOf(identity: ReportIdentity, estate: EstateModel, source: SignInSource): ReportIdentity["queries"] {
  const who = {
    signInName: identity.kind === "SystemAssigned" ? identity.name.replace("/", "/slots/") : identity.name,
  };
  const logged = new Map<string, DataOperationsQuery>();
  for (const a of estate.assignments.filter((x) => x.principal.key === identity.key)) {
    const coverage = auditCoverageOf(a, estate);
    const log = coverage?.setting ? coverage.point.profile.log : undefined;
    if (!coverage || !log) continue;
    const { point } = coverage;
    // A server that logs all its databases is read per database: the grant's.
    const queried =
      point.database === undefined
        ? { resourceId: point.resourceId }
        : { resourceId: point.rootId, database: point.database.name };
    const resourceId = point.database?.id ?? point.resourceId;
    if (logged.has(resourceId)) continue;
    const server = point.rootId.split("/").pop();
    logged.set(resourceId, {
      target: `${point.profile.kind} of ${server}${queried.database === undefined ? "" : `, database ${queried.database}`}`,
      resourceId,
      query: dataOperationsQuery(log, queried, who, source),
      identifiedBy: identifiersOf(log),
    });
  }
  return {
    ...(source.kind === "none" ? {} : { tokenAcquisitions: tokenAcquisitionsQuery(who) }),
    dataOperations: [...logged.values()].sort(byKeys((q) => q.resourceId)),
  };
}

/** Role GUIDs as catalog names, so a reviewer reads "AcrPull", not a GUID. */
function namedRoles(set: ValueSet): ValueSet {
  return set.kind === "any"
    ? set
    : { kind: set.kind, values: set.values.map((guid) => findRoleByGuid(guid)?.name ?? guid).sort() };
}

const permission = (p: AssignmentPermission): PermissionSummary => ({
  roles: namedRoles(p.roles),
  principalTypes: p.principalTypes,
  principalIds: p.principalIds,
});

function summarizeCondition(condition: string): ConditionSummary {
  const allows = analyzeCondition(condition);
  return { parsed: allows.parsed, assign: permission(allows.write), remove: permission(allows.delete) };
}

/** A value set in words: `AcrPull, Key Vault Secrets User`, `any role`, `any principal except X`. */
export function describeValueSet(set: ValueSet, what: string): string {
  if (set.kind === "any") return `any ${what}`;
  if (set.kind === "anyExcept") return `any ${what} except ${set.values.join(", ")}`;
  return set.values.length > 0 ? set.values.join(", ") : `no ${what}`;
}

function describeScope(scope: Scope, estate: EstateModel): string {
  const ref = parseReference(scope.raw);
  const kind = scope.typeInfo?.kind ?? scope.level;
  if (!ref) {
    const names = scope.id?.names ?? [];
    if (scope.level !== "resource") return `${kind} ${scope.raw.split("/").pop()} (${scope.raw})`;
    return names.length > 1
      ? `${kind} ${names[names.length - 1]} of ${names[0]}`
      : `${kind} ${scope.raw.split("/").pop()}`;
  }
  const base = nameOf(estate.byAddress.get(ref.address), ref.address);
  return ref.suffix ? `${kind} ${ref.suffix.split("/").pop()} of ${base}` : `${kind} ${base}`;
}

function reportIdentity(key: string, principalKind: PrincipalKind | undefined, estate: EstateModel): ReportIdentity {
  const [address, system] = key.split("#");
  const resource = estate.byAddress.get(address);
  const federatedTrusts = estate.federated
    .filter((f) => !system && trustedIdentity(f) === address)
    .map((f) => ({ issuer: f.issuer, subject: f.subject }));
  const attachedTo = estate.computes
    .filter((c) => (system ? c.resource.address === address : c.userAssigned.includes(address)))
    .map((c) => `${c.resource.type} ${nameOf(c.resource, c.resource.address)}`);
  if (!system && estate.kubeletIdentities.has(address)) {
    const cluster = estate.computes.find(
      (c) => parseReference(block(c.resource.config.kubelet_identity)?.user_assigned_identity_id)?.address === address,
    );
    attachedTo.push(`kubelet of ${nameOf(cluster?.resource, "an AKS cluster")}`);
  }
  const kind: PrincipalKind =
    principalKind ??
    (system ? "SystemAssigned" : resource?.type.startsWith("data.") ? "ExistingUserAssigned" : "UserAssigned");
  const c = resource?.config ?? {};
  const resourceId = resource ? azureIdOf(resource, estate) : undefined;
  const parent = system ? estate.computes.find((compute) => compute.resource === resource)?.parent : undefined;
  const name = parent ? `${nameOf(parent, parent.address)}/${nameOf(resource, address)}` : nameOf(resource, address);
  const group = parseReference(c.resource_group_name ?? parent?.config.resource_group_name);
  const groupName = group
    ? nameOf(estate.byAddress.get(group.address), group.address)
    : String(c.resource_group_name ?? parent?.config.resource_group_name ?? "");
  return {
    key,
    kind,
    name,
    // The type too: a web app and a container group may share a name and a resource group, not a principal.
    stableKey: [kind, resource?.type ?? "", groupName, name].join("|"),
    replaceKey: [resource?.type, c.name, c.resource_group_name, c.location].join("|"),
    attachedTo: attachedTo.sort(),
    federatedTrusts,
    access: accessOf(kind),
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(resource === undefined && isGuid(key) ? { principalId: key } : {}),
  };
}

/** The identity a federated credential trusts for: its parent's address, or the parent as written. */
const trustedIdentity = (f: FederatedCredential) => f.identity ?? f.parent;

function conditionInWords(g: ReportGrant): string {
  const allows = g.conditionAllows!;
  if (!allows.parsed) return "condition: cannot be parsed, so it limits nothing";
  const a = allows.assign;
  const limits = g.conditionLimits ? "" : " (does **not** limit what it assigns)";
  const ids = a.principalIds;
  const who =
    ids.kind === "anyExcept"
      ? `, never to ${ids.values.join(", ")}`
      : ids.kind === "only"
        ? `, only to ${describeValueSet(ids, "principal")}`
        : "";
  return `condition: may assign ${describeValueSet(a.roles, "role")} to ${describeValueSet(a.principalTypes, "principal type")}${who}${limits}`;
}

const level = (g: ReportGrant) => (g.scopeLevel === "resource" ? "resource" : `**${g.scopeLevel}**`);

/** One identity's section: what it is attached to and trusts, then its grants. */
function renderIdentity(identity: ReportIdentity, grants: readonly ReportGrant[]): string[] {
  const lines = [`### ${identity.name} (${identity.kind})`, "", `- Terraform: \`${identity.key}\``];
  if (identity.access === "developer") {
    lines.push("- People: the group's members, signed in with `az login` on their machines");
  } else {
    const federatedOnly = identity.federatedTrusts.length > 0 ? "no compute; federated workloads only" : "nothing";
    lines.push(`- Attached to: ${identity.attachedTo.length > 0 ? identity.attachedTo.join("; ") : federatedOnly}`);
    for (const t of identity.federatedTrusts) lines.push(`- Trusts: \`${t.subject}\` from ${t.issuer}`);
  }
  lines.push("");
  if (grants.length === 0) return [...lines, "No grants.", ""];
  lines.push("| role | target | scope | why |", "|---|---|---|---|");
  for (const g of grants) {
    const platform = g.platformUse === undefined ? [] : [`**platform grant**: the ${g.platformUse}`];
    const why = [
      ...platform,
      g.description ?? "",
      ...(g.audit ? [`logged: ${g.audit}`] : []),
      ...(g.conditionAllows ? [conditionInWords(g)] : []),
      ...g.suppressions.map((s) => `${s.ruleId} suppressed: ${s.reason}`),
    ];
    lines.push(
      `| ${cell(g.role)} (\`${g.roleGuid}\`) | ${cell(g.target)} | ${level(g)} | ${cell(why.filter(Boolean).join("; "))} |`,
    );
  }
  lines.push("");
  if (
    identity.queries &&
    (identity.queries.tokenAcquisitions !== undefined || identity.queries.dataOperations.length > 0)
  ) {
    lines.push("<details><summary>Audit queries (KQL)</summary>", "");
    if (identity.queries.tokenAcquisitions !== undefined)
      lines.push(
        "Token acquisitions (in the sign-in workspace):",
        "",
        "```kusto",
        identity.queries.tokenAcquisitions,
        "```",
        "",
      );
    for (const q of identity.queries.dataOperations) {
      lines.push(`Data operations on ${q.target} (in the audit workspace):`, "", "```kusto", q.query, "```", "");
    }
    lines.push("</details>", "");
  }
  return lines;
}

const SECTIONS: readonly { readonly access: Access; readonly title: string; readonly none: string }[] = [
  { access: "workload", title: "Workload access", none: "No workload identities." },
  {
    access: "developer",
    title: "Developer access",
    none: "None: no group or user holds a role in this environment.",
  },
];

/** Where the token-acquisition queries run, or why sign-ins cannot be judged. */
function signInsInWords(report: AccessReport): string {
  if (report.signInWorkspace === undefined)
    return "Sign-ins: no workspace receives the tenant's managed-identity sign-ins (Entra `ManagedIdentitySignInLogs`), so whether an identity signs in cannot be judged here, and the data queries below need its object and client ids filled in.";
  return `Sign-ins: the tenant exports its managed-identity sign-ins to \`${report.signInWorkspace}\`: the token-acquisition queries run there; the data queries run in the audit workspace${report.signInWorkspace.toLowerCase() === report.auditWorkspace?.toLowerCase() ? " (the same one)" : " and read the ids across workspaces"}.`;
}

/** An identity of the report as a person reads it: its name and Terraform key, or the key alone once it is gone. */
function identityInWords(report: AccessReport, key: string): string {
  const identity = report.identities.find((i) => i.key === key);
  return identity ? `${identity.name} (\`${key}\`)` : `\`${key}\` (not in this stack)`;
}

/** The migrations section: each migration's phase and the next, what it still keeps, and who carries the load. */
function renderMigrations(report: AccessReport): string[] {
  const unreadable = report.unreadableMigrations ?? 0;
  const migrations = report.migrations ?? [];
  if (migrations.length === 0 && unreadable === 0) return [];
  const lines = ["## Migrations", ""];
  if (unreadable > 0)
    lines.push(
      `**Warning:** ${unreadable} migration record(s) in \`locals.identity_migrations\` cannot be read: they accept nothing (IG032). Declare migrations on the WorkloadIdentity, never by hand.`,
      "",
    );
  const who = (keys: readonly string[]) => keys.map((k) => identityInWords(report, k)).join("; ") || "nobody";
  for (const m of migrations) {
    const title = m.kind === "secret" ? `${m.setting} of ${m.workload}` : `${m.workload}: system- to user-assigned`;
    const next = m.next === undefined ? "final: delete the declaration next" : `next: ${m.next}`;
    lines.push(
      `### ${title} (${m.kind}, phase ${m.phase}; ${next})`,
      "",
      `- Declared at \`${m.constructPath}\`, until ${m.expires}: ${m.reason}`,
      `- Computes: ${m.computes.map((c) => `\`${c}\``).join(", ")}`,
    );
    if (m.kind === "secret") {
      const target = m.target!;
      lines.push(
        `- Setting: \`${m.setting}\`${m.secretInUse === undefined ? "" : `, still holding ${m.secretInUse}`}`,
        `- Target: ${target.label} (\`${target.address}\`)${target.resourceId === undefined ? "" : `, \`${target.resourceId}\``}`,
        `- Carried by: ${who(m.carriers)}`,
        `- At keys-off, revoke: ${m.revoke ?? `nothing declared for ${target.address}'s type: rotate whatever keys it has`}`,
      );
    } else if (m.phase === "both") {
      lines.push(`- Both holding every grant: ${who(m.carriers)}, beside ${who(m.retiring)} (dropped next)`);
    } else {
      lines.push(`- Carried by: ${who(m.carriers)}; dropped: ${who(m.retiring)}`);
    }
    lines.push("");
  }
  return lines;
}

/** The report for people: workload identities, then people (developer access), each with its grants. */
export function renderAccessReport(report: AccessReport): string {
  const lines = [
    `# Access report: ${report.environment}`,
    "",
    `${report.identities.length} identities, ${report.grants.length} grants.`,
    "",
  ];
  if (report.identities.some((i) => i.queries)) lines.push(signInsInWords(report), "");
  for (const section of SECTIONS) {
    const identities = report.identities.filter((i) => i.access === section.access);
    lines.push(`## ${section.title}`, "");
    if (identities.length === 0) lines.push(section.none, "");
    for (const identity of identities) {
      lines.push(
        ...renderIdentity(
          identity,
          report.grants.filter((g) => g.identity === identity.key),
        ),
      );
    }
  }
  lines.push(...renderMigrations(report));
  if (report.databaseUsers.length > 0) {
    lines.push(
      "## Database users to create after apply",
      "",
      "ARM cannot create a user inside a database. The server's Entra administrator (a member of its admin group) runs each step once after apply, in the database it names; every statement checks first, so running again changes nothing. `terraform output -json <output>` prints them with the principal ids filled in.",
      "",
    );
    for (const d of report.databaseUsers) {
      lines.push(`### ${d.database} on ${d.host} (output \`${d.output}\`)`, "");
      lines.push(`Reach the server ${d.adminPath}.`, "");
      for (const step of d.steps)
        lines.push(`In database \`${step.database}\`:`, "", "```sql", step.statements, "```", "");
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Writes `access-report.json` and `access-report.md` beside the stack on every synth. */
export function reportAccessOnSynth(stack: TerraformStack): Construct {
  const host = new Construct(stack, "access-report");
  onStackSynthesis(host, (json) => {
    const report = buildAccessReport(stack.node.id, json());
    return {
      "access-report.json": `${JSON.stringify(report, null, 2)}\n`,
      "access-report.md": renderAccessReport(report),
    };
  });
  return host;
}
