import { isGuid } from "../azure-ids";
import { findSecrets } from "./secret-scan";
import { byKeys } from "../ordering";
import { GITHUB_ACTIONS_ISSUER } from "../federation";
import { Assignment, EstateModel, MANAGED_IDENTITY_KINDS, parseReference, TfResource } from "../estate/estate-model";
import { ACCESS_POLICY, AssignmentFacts, PolicyRule, PrincipalClass } from "../policy/access-policy";

/** One thing a rule found wrong with one resource. */
export interface RuleHit {
  readonly resource: TfResource;
  readonly message: string;
  readonly fix: string;
}

export interface RuleContext {
  /** Token issuers trusted besides GitHub Actions and the stack's own AKS clusters. */
  readonly knownIssuers: readonly string[];
}

export interface Rule {
  /** Stable id, for suppressions and severity settings. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** A rule that can only warn (what it finds is not analysed, rather than wrong), unless set per rule. */
  readonly warnOnly?: boolean;
  check(estate: EstateModel, context: RuleContext): RuleHit[];
}

const rule = (id: string, name: string, description: string, check: Rule["check"]): Rule => ({ id, name, description, check });
const hit = (resource: TfResource, message: string, fix: string): RuleHit => ({ resource, message, fix });

/** An assignment read from the stack, as the access policy judges it. */
export function factsOf(a: Assignment): AssignmentFacts {
  const principal: PrincipalClass = MANAGED_IDENTITY_KINDS.has(a.principal.kind) ? "ManagedIdentity" : (a.principal.kind as PrincipalClass);
  return {
    role: a.role,
    roleName: a.role?.name ?? a.roleWritten,
    scopeLevel: a.scope.level,
    scopeType: a.scope.typeInfo,
    scopeLabel: a.scope.label,
    condition: a.condition,
    principalId: a.principal.raw,
    principal,
    principalLabel: a.principal.label,
    platformUse: a.platformUse,
  };
}

/** The guardrail of one access-policy predicate: the same verdict a grant gets, on every assignment. */
const policyGuardrail = (policy: PolicyRule): Rule =>
  rule(policy.id, policy.name, policy.description, (estate) =>
    estate.assignments.flatMap((a) => {
      const verdict = policy.judge(factsOf(a));
      return verdict ? [hit(a.resource, verdict.message, verdict.fix)] : [];
    }),
  );

const on = (a: Assignment) => `${a.role?.name ?? a.roleWritten} for ${a.principal.label} on ${a.scope.label}`;
const grantsOf = (estate: EstateModel, key: string) => estate.assignments.filter((a) => a.principal.key === key);

/** What of an assignment only Terraform knows, so no rule can judge it. */
function unverifiable(a: Assignment): string[] {
  return [
    ...(a.scope.level === "unknown" ? [`scope ${JSON.stringify(a.scope.raw)}`] : []),
    ...(a.roleVerifiable ? [] : [`role ${JSON.stringify(a.roleWritten)}`]),
    ...(a.principal.verifiable ? [] : [`principal ${JSON.stringify(a.principal.raw)}`]),
  ];
}
const VERIFIABLE_FIX =
  "write a literal id, or a reference to a resource of this stack (`<resource>.id`, a managed identity's `principal_id`): variables, locals, module outputs, functions and other data sources are known only to Terraform";

export const RULES: readonly Rule[] = [
  ...ACCESS_POLICY.map(policyGuardrail),
  rule("IG006", "key-vault-access-policies", "A grant on a Key Vault that is not in RBAC mode does nothing.", (estate) =>
    estate.assignments
      .filter((a) => a.role?.plane === "data" && a.scope.resource?.type === "azurerm_key_vault" && a.scope.resource.config.rbac_authorization_enabled !== true && a.scope.resource.config.enable_rbac_authorization !== true)
      .map((a) => hit(a.resource, `${on(a)}, but the vault uses access policies, so the role grants nothing`, `set rbac_authorization_enabled = true on ${a.scope.resource!.address}`)),
  ),
  rule("IG007", "storage-shared-keys", "A storage target that still accepts shared keys: anyone with a key bypasses the identity's grants.", (estate) =>
    estate.assignments
      .filter((a) => a.scope.resource?.type === "azurerm_storage_account" && a.scope.resource.config.shared_access_key_enabled !== false)
      .map((a) => hit(a.resource, `${on(a)}, but the account still accepts shared keys`, `set shared_access_key_enabled = false on ${a.scope.resource!.address}`)),
  ),
  rule("IG008", "duplicate-assignment", "Azure keeps one assignment per (scope, principal, role): a second one fails with 409 RoleAssignmentExists.", (estate) => {
    const seen = new Map<string, Assignment>();
    return estate.assignments.flatMap((a) => {
      const key = [a.scope.raw.toLowerCase(), a.principal.key, (a.role?.guid ?? a.roleWritten).toLowerCase()].join("|");
      const first = seen.get(key);
      if (!first) seen.set(key, a);
      return first ? [hit(a.resource, `${on(a)} is also declared as ${first.resource.address}`, "declare the grant once (the grant constructs merge repeats)")] : [];
    });
  }),
  rule("IG009", "missing-principal-type", "Without principal_type = ServicePrincipal, creation races the new identity's directory replication.", (estate) =>
    estate.assignments
      .filter((a) => a.principalType === undefined || (MANAGED_IDENTITY_KINDS.has(a.principal.kind) && a.principalType !== "ServicePrincipal"))
      .map((a) => hit(a.resource, `${on(a)} has principal_type ${JSON.stringify(a.principalType ?? null)}`, 'set principal_type = "ServicePrincipal" for managed identities')),
  ),
  rule("IG010", "role-by-name", "role_definition_name is resolved by a lookup and drifts; the role must be its built-in GUID.", (estate) =>
    estate.assignments
      .filter((a) => a.usesRoleName)
      .map((a) => hit(a.resource, `${on(a)} names its role ${JSON.stringify(a.roleWritten)}`, "write role_definition_id with the built-in GUID, scoped to the target's subscription")),
  ),
  rule("IG011", "unscoped-role-id", "Azure returns role ids scoped to a subscription: the unscoped form diffs forever.", (estate) =>
    estate.assignments.flatMap((a) => {
      const fix = "write /subscriptions/<the scope's subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>";
      if (a.unscopedRoleId) return a.scope.level === "managementGroup" ? [] : [hit(a.resource, `${on(a)} writes ${a.roleWritten}`, fix)];
      const roleSubscription = /^\/subscriptions\/([^/]+)\//.exec(a.roleWritten)?.[1];
      const scopeSubscription = a.scope.resource ? estate.subscriptionId : a.scope.id?.subscriptionId;
      return roleSubscription && scopeSubscription && roleSubscription.toLowerCase() !== scopeSubscription.toLowerCase()
        ? [hit(a.resource, `${on(a)} takes its role from subscription ${roleSubscription}, but the scope is in ${scopeSubscription}`, fix)]
        : [];
    }),
  ),
  rule("IG012", "nondeterministic-name", "An assignment name must be a UUID from values known before apply, or re-applies fail and plans replace it.", (estate) =>
    estate.assignments.flatMap((a) => {
      const name = typeof a.name === "string" ? a.name : undefined;
      const deterministic = name !== undefined && (isGuid(name) || (/^\$\{uuidv5\(/.test(name) && !/principal_id|uuid\(\)|timestamp\(\)/.test(name)));
      return deterministic ? [] : [hit(a.resource, `${on(a)} has name ${JSON.stringify(a.name ?? null)}`, "name it uuidv5(scope id, role GUID, identity resource id built from names), never from principal_id")];
    }),
  ),
  rule("IG013", "identity-without-grants", "An identity attached to compute but granted nothing: it looks like success right up until the first 403.", (estate) =>
    estate.computes.flatMap((c) => {
      const hits: RuleHit[] = [];
      // AKS uses its own identities for itself; grants for pods go through workload identity.
      if (c.resource.type === "azurerm_kubernetes_cluster") return hits;
      if (c.systemAssigned && grantsOf(estate, `${c.resource.address}#system`).length === 0) {
        hits.push(hit(c.resource, `${c.resource.address} has a system-assigned identity that holds no role`, "grant it the data role it needs on the exact target, or turn the identity off"));
      }
      for (const uami of c.userAssigned) {
        if (estate.byAddress.has(uami) && grantsOf(estate, uami).length === 0) {
          hits.push(hit(c.resource, `${c.resource.address} carries ${uami}, which holds no role`, "grant the identity the data role the workload needs, or detach it"));
        }
      }
      return hits;
    }),
  ),
  rule("IG014", "standing-access", "A user-assigned identity that holds roles but is attached to nothing is access nobody uses.", (estate) => {
    return estate.identities
      .filter((i) => !estate.usedIdentities.has(i.address) && grantsOf(estate, i.address).length > 0)
      .map((i) => hit(i, `${i.address} holds ${grantsOf(estate, i.address).length} role(s) but no resource uses it`, "attach it to the workload that needs the access, or remove it and its grants"));
  }),
  rule("IG015", "ambiguous-default-identity", "With several user-assigned identities and no AZURE_CLIENT_ID, the SDK cannot tell which one to use.", (estate) =>
    estate.computes
      .filter((c) => c.userAssigned.length > 1 && c.settings !== undefined && !c.settings.every((s) => s.AZURE_CLIENT_ID))
      .map((c) => hit(c.resource, `${c.resource.address} carries ${c.userAssigned.length} user-assigned identities and no AZURE_CLIENT_ID`, "set AZURE_CLIENT_ID to the client id of the identity the code uses")),
  ),
  rule("IG016", "slot-differs", "A slot swaps into production: its identity and grants must match its app's.", (estate) =>
    estate.computes
      .filter((c) => c.parent)
      .flatMap((slot) => {
        const app = estate.computes.find((c) => c.resource === slot.parent)!;
        const ids = (c: typeof slot) => [c.systemAssigned, [...c.userAssigned].sort().join(",")].join("|");
        const grants = (key: string) => grantsOf(estate, key).map((a) => `${a.scope.raw}|${a.role?.guid}`).sort().join(";");
        const sameGrants = !slot.systemAssigned || grants(`${slot.resource.address}#system`) === grants(`${app.resource.address}#system`);
        return ids(slot) === ids(app) && sameGrants
          ? []
          : [hit(slot.resource, `slot ${slot.resource.address} does not carry the identities and grants of ${app.resource.address}`, "attach the same identities to the slot and grant its system-assigned identity what the app's holds")];
      }),
  ),
  rule("IG017", "shared-identity-union", "An identity shared by workloads with different needs gives each of them the union.", (estate) =>
    estate.identities.flatMap((i) => {
      const workloads = new Set(estate.computes.filter((c) => c.userAssigned.includes(i.address)).map((c) => c.resource.path.split("/")[1]));
      const declared = new Set(grantsOf(estate, i.address).map((a) => a.workload ?? ""));
      return workloads.size > 1 && declared.size > 1
        ? [hit(i, `${i.address} is shared by ${[...workloads].sort().join(", ")}, whose grants differ (${[...declared].sort().join(", ")} asked): each holds all of them`, "give each workload its own identity, or share only between workloads with the same needs")]
        : [];
    }),
  ),
  rule("IG018", "federated-trust", "A federated credential must trust one known issuer for exactly one subject.", (estate, context) =>
    estate.federated.flatMap((f) => {
      const issuerRef = parseReference(f.issuer);
      const fromCluster = issuerRef?.attribute === ".oidc_issuer_url" && estate.byAddress.get(issuerRef.address)?.type === "azurerm_kubernetes_cluster";
      const known = fromCluster || f.issuer === GITHUB_ACTIONS_ISSUER || context.knownIssuers.includes(f.issuer);
      return [
        ...(/[*?]/.test(f.subject) || f.subject.trim() === "" ? [hit(f.resource, `federated subject ${JSON.stringify(f.subject)} is a wildcard`, "name exactly one repository and environment, or one namespace and service account")] : []),
        ...(known ? [] : [hit(f.resource, `federated issuer ${JSON.stringify(f.issuer)} is not one this estate trusts`, `use ${GITHUB_ACTIONS_ISSUER} or a cluster's oidc_issuer_url, or list the issuer in the guardrail settings`)]),
      ];
    }),
  ),
  rule("IG019", "secret-in-output", "Keys, tokens, passwords and connection strings anywhere in the output: the secrets managed identities replace.", (estate) => {
    const hits = new Map<string, string[]>();
    for (const secret of findSecrets(estate.json)) hits.set(secret.address, [...(hits.get(secret.address) ?? []), `${secret.where} (${secret.what})`]);
    return [...hits].map(([address, where]) =>
      hit(estate.byAddress.get(address) ?? { address, type: address.split(".")[0], path: address, config: {} }, `${address} carries secrets in ${where.join(", ")}`, "connect through the identity (endpoint-only settings), or reference a Key Vault secret; never output a key"),
    );
  }),
  rule("IG020", "unknown-role", "A role outside the catalog (custom, or given by reference) cannot be judged by any other rule.", (estate) =>
    estate.assignments
      .filter((a) => !a.role && a.roleVerifiable)
      .map((a) => hit(a.resource, `${a.resource.address} grants ${JSON.stringify(a.roleWritten)}, which is not a catalogued built-in role`, "use a built-in role from the catalog by its GUID, or suppress with the reason this role is narrow")),
  ),
  rule("IG022", "unverifiable-assignment", "A scope, role or principal that only Terraform knows cannot be judged by any rule, so it is refused.", (estate) => [
    ...estate.assignments.flatMap((a) => {
      const unknown = unverifiable(a);
      return unknown.length > 0 ? [hit(a.resource, `${a.resource.address} has ${unknown.join(", ")}, which cannot be verified at synth`, VERIFIABLE_FIX)] : [];
    }),
    ...estate.unreadable.map((r) =>
      typeof r.config.type === "string" && r.config.type.includes("${")
        ? hit(r, `${r.address} creates a resource whose type ${JSON.stringify(r.config.type)} cannot be verified at synth: it may be a role assignment`, "write the azapi resource type as a literal `Namespace/type@version`")
        : hit(r, `${r.address} grants access or runs commands in a way no rule reads`, "grant through this library's constructs (azurerm_role_assignment to a managed identity); keep deployments, access policies and provisioners out of the estate's stacks"),
    ),
  ]),
  {
    ...rule("IG023", "unanalysed-module", "A module call's role assignments are not in the stack's JSON, so no rule sees them.", (estate) =>
      estate.modules.map((m) => hit(m, `${m.address} (${String(m.config.source ?? "no source")}) is a module: its role assignments are not analysed`, "make its grants with the constructs of this library, or review the module's assignments by hand")),
    ),
    warnOnly: true,
  },
].sort(byKeys((r) => r.id));
