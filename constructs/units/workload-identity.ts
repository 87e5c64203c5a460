import { Construct, IConstruct } from "constructs";
import { AttachableCompute } from "../compute/attachable-compute";
import { IdentityConnection } from "../grants/identity-connection";
import { IdentityConfigError } from "../core/errors";
import { Grant, GrantRequest } from "../azure/grant";
import { grantRole, requestedOptions } from "../grants/grants";
import { IManagedIdentity, IUserAssignedIdentity, SystemAssignedIdentity } from "../azure/identity";
import { Roles } from "../services";
import { ContainerRegistryTarget } from "../services/container-registry";
import { IdentityChoice, UserAssignedIdentityChoice, userAssignedIdentityOf } from "../identities/identity-choice";
import { dependOn, requireSameStack } from "../azure/known-values";
import { checkTerms } from "../policy/migration-record";
import { declareConversion, declareSecretMigrations, SecretMigration } from "./migrations";

export interface WorkloadIdentityProps {
  readonly identity: IdentityChoice;
  /** The computes that run as the identity; an App Service's slots come with it. */
  readonly compute: readonly AttachableCompute[];
  /** The access the workload needs, as `target.allow(role, reason)`. */
  readonly grants: readonly GrantRequest[];
  /** Identity-based connections the code reads from its settings (Functions triggers, SDK clients). */
  readonly connections?: readonly IdentityConnection[];
  /** The workload's name in assignment descriptions; defaults to the construct id. */
  readonly workload?: string;
  /**
   * Settings moving off stored secrets to the identity, one phase per change
   * (`Migration.offSecret`): the guardrails accept the secret setting in `dual`, and the target's
   * keys until `keys-off`, each until its expiry.
   */
  readonly migrations?: readonly SecretMigration[];
}

/**
 * Identity, attachment and least-privilege grants as one unit: the compute gets its identity,
 * the identity gets exactly the listed roles on the exact targets, and the compute is wired to
 * use it (AZURE_CLIENT_ID, Key Vault references, registry pull, identity-based connections).
 */
export class WorkloadIdentity extends Construct {
  /** The principals that were granted access: one user-assigned, or one per compute and slot. */
  readonly principals: readonly IManagedIdentity[];
  readonly grants: readonly Grant[];
  readonly userAssigned?: IUserAssignedIdentity;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const workload = props.workload ?? id;
    const computes = props.compute.flatMap((c) => [c, ...c.slots]);
    if (
      props.identity.type === "SystemAssigned" &&
      props.grants.length === 0 &&
      (props.connections ?? []).length === 0 &&
      computes.some((c) => c.platformIdentity)
    ) {
      throw new IdentityConfigError(this, {
        problem:
          "The workload's system-assigned identity would hold nothing: its only grant, host storage, goes to the host's user-assigned identity",
        value: computes.map((c) => c.resource.node.path),
        fix: "use Identity.newUserAssigned (one identity for the host and the code), or list the grants the code needs",
      });
    }
    const attached = this.attach(props.identity, this.computesOnce(computes), workload);
    this.userAssigned = attached.userAssigned;

    const grant = (identity: IManagedIdentity, spec: GrantRequest) =>
      grantRole(identity, spec.role, spec.target, { ...requestedOptions(spec.options), workload, declaredBy: this });
    const grants: Grant[] = [];
    const platformIdentities = new Map<object, IUserAssignedIdentity>();
    for (const { compute, identity } of attached.pairs) {
      const platform = this.platformIdentity(compute, identity, platformIdentities);
      const platformGrants = compute.platformGrants.map((spec) => grant(platform, spec));
      // The platform reads these at the compute's first start (the Functions host its storage), and caches a 403.
      for (const g of platformGrants) dependOn(compute.resource, g.assignment);
      grants.push(...platformGrants);
      this.connect(compute, identity, props.connections ?? []);
    }
    this.principals = attached.principals;
    grants.push(...this.principals.flatMap((identity) => props.grants.map((spec) => grant(identity, spec))));
    this.grants = [...new Set(grants)];
    declareSecretMigrations(this, workload, props.migrations ?? [], computes, this.principals, this.grants);

    for (const { compute, identity } of attached.pairs) {
      for (const pull of this.grants.filter(
        (g) => g.identity === identity && g.role === Roles.AcrPull && g.target instanceof ContainerRegistryTarget,
      )) {
        compute.pullImagesWith(identity, pull.target as ContainerRegistryTarget);
        // A user-assigned identity exists before the compute: make its AcrPull exist first too,
        // or the first image pull fails. (A system-assigned one is born with the compute.)
        if (identity.kind === "UserAssigned") dependOn(compute.resource, pull.assignment);
      }
    }
  }

  /** Each compute (or slot) once, in this stack: a repeat would attach and grant twice. */
  private computesOnce(computes: readonly AttachableCompute[]): readonly AttachableCompute[] {
    const seen = new Set<IConstruct>();
    for (const compute of computes) {
      if (seen.has(compute.resource)) {
        throw new IdentityConfigError(this, {
          problem: "The same compute is listed twice",
          value: compute.resource.node.path,
          fix: "list each compute once; an App Service's slots come with it through `slots`",
        });
      }
      seen.add(compute.resource);
      requireSameStack(
        this,
        `Compute ${compute.resource.node.path}`,
        compute.resource,
        "declare the WorkloadIdentity in the stack of its computes",
      );
    }
    return computes;
  }

  private attach(choice: IdentityChoice, computes: readonly AttachableCompute[], workload: string) {
    // The same construct ids as a plain system-assigned workload: a conversion keeps its grants' addresses.
    const systemIdentities = () =>
      computes.map(
        (compute) =>
          new SystemAssignedIdentity(this, `system-identity-${compute.resource.node.id}`, {
            principalId: compute.enableSystemAssigned(),
            computeResourceId: compute.resourceId,
          }) as IManagedIdentity,
      );
    if (choice.type === "SystemAssigned") {
      const systems = systemIdentities();
      const pairs = computes.map((compute, i) => ({ compute, identity: systems[i] }));
      return { pairs, principals: systems, userAssigned: undefined };
    }
    if (choice.type === "Converting") {
      const terms = checkTerms(this, "conversion", choice.terms);
      // In `both`, the system identities stay and hold every grant too; the code is told the new one.
      const systems = terms.phase === "both" ? systemIdentities() : [];
      const attached = this.attachUserAssigned(choice.to, computes);
      declareConversion(this, workload, terms, computes, attached.userAssigned);
      return { ...attached, principals: [...systems, ...attached.principals] };
    }
    return this.attachUserAssigned(choice, computes);
  }

  private attachUserAssigned(choice: UserAssignedIdentityChoice, computes: readonly AttachableCompute[]) {
    const identity = userAssignedIdentityOf(this, "identity", choice);
    requireSameStack(
      this,
      `Identity ${identity.node.path}`,
      identity,
      "pass it to this stack by resource id (ExistingUserAssignedIdentity), so each stack plans on its own",
    );
    for (const compute of computes) compute.attachUserAssigned(identity);
    return {
      pairs: computes.map((compute) => ({ compute, identity })),
      principals: [identity],
      userAssigned: identity,
    };
  }

  /**
   * Who holds the compute's platform grants: the workload's user-assigned identity, which exists
   * before the compute, or, for a system-assigned workload, a user-assigned identity of the
   * platform's own (one per app and its slots).
   */
  private platformIdentity(
    compute: AttachableCompute,
    identity: IManagedIdentity,
    made: Map<object, IUserAssignedIdentity>,
  ): IManagedIdentity {
    const need = compute.platformIdentity;
    if (!need || identity.kind === "UserAssigned") return identity;
    const platform =
      made.get(need.key) ?? userAssignedIdentityOf(this, `platform-identity-${compute.resource.node.id}`, need.choice);
    made.set(need.key, platform);
    need.use(platform);
    return platform;
  }

  private connect(
    compute: AttachableCompute,
    identity: IManagedIdentity,
    connections: readonly IdentityConnection[],
  ): void {
    if (connections.length === 0) return;
    compute.acceptConnections?.(connections.filter((c) => c.trigger).map((c) => c.name));
    if (!compute.setEnvironment) {
      throw new IdentityConfigError(compute.resource, {
        problem: "This compute has no app settings to carry identity-based connections",
        value: connections.map((c) => c.name),
        fix: "configure the connection in the application's own configuration, and keep only the grants here",
      });
    }
    compute.setEnvironment(Object.assign({}, ...connections.map((c) => c.settings(identity))));
  }
}
