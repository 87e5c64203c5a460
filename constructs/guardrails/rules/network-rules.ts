import { Assignment, block, EstateModel, parseReference, TfResource } from "../../estate/estate-model";
import { gateOf, networkTargetOf, pathFrom } from "../../estate/network-paths";
import { serviceTerraformType } from "../../azure/contract/resource-types";
import { hit, Rule, RuleHit } from "./rule";

/**
 * The computes of the stack that run as an assignment's principal: the compute of a
 * system-assigned identity; every compute, kubelet and AKS cluster whose pods federate with a
 * user-assigned one. People and principals by literal id run nowhere the stack says.
 */
function computesOf(a: Assignment, estate: EstateModel): TfResource[] {
  const { principal } = a;
  if (principal.kind === "SystemAssigned") return principal.resource ? [principal.resource] : [];
  if (principal.kind !== "UserAssigned" && principal.kind !== "ExistingUserAssigned") return [];
  const address = principal.key;
  const clusterType = serviceTerraformType("Kubernetes Service", "cluster");
  const clusters = (predicate: (cluster: TfResource) => boolean) =>
    estate.computes.filter((c) => c.resource.type === clusterType && predicate(c.resource));
  const federatedClusters = new Set(
    estate.federated
      .filter((f) => f.identity === address)
      .flatMap((f) => {
        const ref = parseReference(f.resource.config.issuer);
        return ref?.attribute === ".oidc_issuer_url" ? [ref.address] : [];
      }),
  );
  return [
    // A cluster's own (control-plane) identity calls ARM, not data planes: only its kubelet and pods count.
    ...estate.computes.filter((c) => c.resource.type !== clusterType && c.userAssigned.includes(address)),
    ...clusters(
      (cluster) =>
        parseReference(block(cluster.config.kubelet_identity)?.user_assigned_identity_id)?.address === address ||
        federatedClusters.has(cluster.address),
    ),
  ].map((c) => c.resource);
}

const nameOf = (r: TfResource) => (typeof r.config.name === "string" ? r.config.name : r.address);

export const unreachableTargetRule: Rule = {
  id: "IG030",
  name: "unreachable-target",
  description:
    "A data role on a target that refuses public traffic (public network access off, network ACLs denying by default, an Azure SQL or PostgreSQL firewall with no rule) held by a compute with no network path to it: authorized, and still refused. Also the 'allow Azure services' rule, which admits every Azure tenant. Targets and computes whose network settings only Terraform knows are not judged.",
  defaultSeverity: "warning",
  check(estate) {
    const hits = new Map<string, RuleHit>();
    for (const a of estate.assignments.filter((x) => x.role?.plane === "data")) {
      const target = networkTargetOf(a, estate);
      const gate = target && gateOf(target, estate);
      if (!gate) continue;
      for (const compute of computesOf(a, estate)) {
        const verdict = pathFrom(compute, gate, a.role?.service, estate);
        const roles = `${a.role!.name} on ${nameOf(gate.target)}`;
        if (verdict.kind === "refused") {
          const key = `${compute.address}|${gate.target.address}|${a.role!.service}`;
          if (hits.has(key)) continue;
          hits.set(
            key,
            hit(
              compute,
              `${compute.address} holds ${roles} (${a.resource.address}), but ${gate.target.address} refuses public traffic (${gate.refusal}) and the compute has no network path to it: ${verdict.why}`,
              `give ${gate.target.address} a private endpoint in a subnet of the compute's virtual network (with its private DNS zone linked there), or a virtual network rule for the compute's subnet with the service endpoint; integrate App Service with a subnet (virtual_network_subnet_id)`,
            ),
          );
        }
        if (verdict.kind === "reached") {
          for (const rule of verdict.azureServicesRules) {
            hits.set(
              `${rule.address}`,
              hit(
                rule,
                `${compute.address} reaches ${gate.target.address} only through ${rule.address}, the 'allow Azure services' rule (0.0.0.0), which admits connections from every Azure tenant's resources, not just this compute`,
                `reach ${gate.target.address} through a private endpoint or a virtual network rule for the compute's subnet, or keep the rule with NetworkPath.allowAzureServices and a justification`,
              ),
            );
          }
        }
      }
    }
    return [...hits.values()];
  },
};
