import { TerraformStack } from "cdktf";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { AksClusterIdentity, AksClusterIdentityProps, Identity } from "../constructs";

/** Where the AKS tests' identities live. */
export const inRg = { resourceGroupName: "aks-rg", location: "westeurope" };

/** The cluster's identities with a new user-assigned control plane `aks-id`, plus whatever else a test sets. */
export function withControlPlane(
  stack: TerraformStack,
  cluster: KubernetesCluster,
  props: Omit<AksClusterIdentityProps, "cluster"> = {},
): AksClusterIdentity {
  return new AksClusterIdentity(stack, "identities", {
    cluster,
    controlPlane: Identity.newUserAssigned({ name: "aks-id", ...inRg }),
    ...props,
  });
}
