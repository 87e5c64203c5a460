import { roleKey } from "../azure/role-catalog";
import { platformUseReaders } from "../azure/contract/assignments";
import { serviceTerraformType } from "../azure/contract/resource-types";
import { comparableText } from "../core/terraform-text";
import { Assignment } from "./assignment-dialects";
import { Compute } from "./computes";
import { federatedParentOf } from "./federated-credentials";
import { block, isLiteral, parseReference, TfResource } from "./terraform-json";

/** Terraform addresses are case-sensitive; literal ids are not. */
const platformUseKey = (principal: string, roleGuid: string, scope: string) =>
  `${principal}|${roleGuid}|${comparableText(scope)}`;

/** A resource with count or for_each may not exist: what it would use counts for nothing. */
const certain = (r: TfResource) => r.config.count === undefined && r.config.for_each === undefined;

/**
 * What the platform identity of each compute with platform uses (a service's `assignments.platformUses`,
 * an AKS cluster's) needs, read from its configuration: its one user-assigned identity, with the
 * role each use needs, on the resource as written. Keyed by principal, role and scope as written,
 * so only that identity, with that role, on exactly those resources counts. A compute that may
 * not exist counts for nothing, and neither does an identity the estate also uses for anything
 * but a platform.
 */
function platformUses(resources: readonly TfResource[], otherUses: ReadonlySet<string>): Map<string, string> {
  const uses = new Map<string, string>();
  for (const reader of platformUseReaders()) {
    for (const compute of resources.filter((r) => reader.computeTypes.includes(r.type) && certain(r))) {
      const name = `${reader.label} ${isLiteral(compute.config.name) ? compute.config.name : compute.address}`;
      const identity = block(compute.config.identity);
      const ids = (identity?.identity_ids ?? []) as unknown[];
      const address =
        ids.length === 1 && identity?.type === "UserAssigned" ? parseReference(ids[0])?.address : undefined;
      if (address === undefined || otherUses.has(address)) continue;
      const json = {
        block,
        attached: (type: string, field: string) =>
          resources
            .filter(
              (r) => r.type === type && certain(r) && parseReference(r.config[field])?.address === compute.address,
            )
            .map((r) => r.config),
      };
      for (const { scope, role, use } of reader.uses(compute, json)) {
        if (typeof scope === "string" && !/^(system|none)$/i.test(scope))
          uses.set(platformUseKey(address, role.guid, scope), `${use} of ${name}`);
      }
    }
  }
  return uses;
}

/**
 * The assignments with the platform use each serves, when it is one: a compute's platform identity
 * holding, on a subnet or a private DNS zone the compute uses, the role its platform needs.
 */
export function withPlatformUses(
  assignments: readonly Assignment[],
  resources: readonly TfResource[],
  computes: readonly Compute[],
  kubeletIdentities: ReadonlySet<string>,
): Assignment[] {
  const platforms = new Set(platformUseReaders().flatMap((reader) => reader.computeTypes));
  const credentialType = serviceTerraformType("Managed Identity", "federatedCredential");
  // An identity that computes, kubelets or federated workloads also run as is no platform's only.
  const otherUses = new Set([
    ...computes.filter((c) => !platforms.has(c.resource.type)).flatMap((c) => c.userAssigned),
    ...kubeletIdentities,
    ...resources
      .filter((r) => r.type === credentialType)
      .flatMap((r) => parseReference(federatedParentOf(r.config))?.address ?? []),
  ]);
  const uses = platformUses(resources, otherUses);
  return assignments.map((a) => {
    // A platform use is of a subnet or a private DNS zone: the role's own service, at resource level.
    const onItsKind =
      a.role?.service === "Network" && a.scope.level === "resource" && a.scope.typeInfo?.services.includes("Network");
    const use = onItsKind ? uses.get(platformUseKey(a.principal.key, roleKey(a.role!), a.scope.raw)) : undefined;
    return use ? { ...a, platformUse: use } : a;
  });
}
