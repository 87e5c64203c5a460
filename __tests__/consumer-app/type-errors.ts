// What the types refuse: each line below must be a type error, or `tsc` fails on the unused directive.
import { TerraformStack, Testing } from "cdktf";
import { AksClusterIdentity, Identity, KeyVaultTarget, Roles } from "@contoso-platform/azure-identity-grants";
import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";

const stack = new TerraformStack(Testing.app(), "types");
const vault = KeyVaultTarget.fromId(
  stack,
  "/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
);
vault.allow(Roles.KeyVaultSecretsUser, "a Key Vault role on a vault type-checks");

// @ts-expect-error AcrPull is a Container Registry role: it does nothing on a vault.
vault.allow(Roles.AcrPull, "pulls images");

declare const cluster: KubernetesCluster;
// @ts-expect-error An AKS control plane takes a user-assigned identity only.
new AksClusterIdentity(stack, "aks", { cluster, controlPlane: Identity.systemAssigned() });
