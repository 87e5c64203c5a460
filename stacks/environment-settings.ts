/** What differs between environments, as real teams set it. Ids here are identifiers, not secrets. */
import { GuardrailSettings } from "../constructs";

export interface EnvironmentSettings {
  readonly name: "dev" | "staging" | "prod";
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly location: string;
  /** Prefix of every resource name, e.g. `contoso-dev`. */
  readonly namePrefix: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Terraform state in an azurerm backend, reached with Entra ID (no storage key). */
  readonly state: {
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly storageAccountName: string;
    readonly containerName: string;
  };
  readonly appServiceSku: string;
  readonly storageReplication: "LRS" | "ZRS" | "GZRS";
  /** Production keeps user-assigned identities from destroy: a new principal loses every grant. */
  readonly protectIdentities: boolean;
  readonly keyVaultPurgeProtection: boolean;
  /** The shared container registry, in the platform team's subscription. */
  readonly sharedRegistryId: string;
  /** The repository whose GitHub environment of the same name deploys this environment. */
  readonly githubRepository: string;
  readonly network: { readonly addressSpace: string; readonly computeSubnet: string };
  readonly vmSize: string;
  readonly jobsInstances: number;
  /** The AKS system pool: Microsoft supports at least 2 nodes of at least 4 vCPUs, not B-series. */
  readonly aksSystemPool: { readonly vmSize: string; readonly nodeCount: number };
  /**
   * Workloads of `OPTIONAL_WORKLOADS` (stacks/workloads/index.ts) this environment runs besides
   * the ones every environment runs, by name.
   */
  readonly extraWorkloads?: readonly string[];
  /** Production fails synth on a finding; dev warns. Settable per rule. */
  readonly guardrails: GuardrailSettings;
  /** Public key of the break-glass admin: VMs accept no password. */
  readonly adminSshPublicKey: string;
}

/** The environment's resource group: the bootstrap stack creates it, the environment stack fills it. */
export const resourceGroupName = (env: EnvironmentSettings): string => `${env.namePrefix}-rg`;

const TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const PLATFORM_SUBSCRIPTION_ID = "9b2e4a7c-3f1d-4c8e-a6b5-0d1e2f3a4b5c";

const shared = {
  tenantId: TENANT_ID,
  state: {
    subscriptionId: PLATFORM_SUBSCRIPTION_ID,
    resourceGroupName: "platform-tfstate-rg",
    storageAccountName: "contosotfstate",
    containerName: "tfstate",
  },
  sharedRegistryId: `/subscriptions/${PLATFORM_SUBSCRIPTION_ID}/resourceGroups/platform-shared-rg/providers/Microsoft.ContainerRegistry/registries/contosoplatform`,
  githubRepository: "contoso/identity-platform",
  adminSshPublicKey:
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPC2csYfh7Ihg0TiGHCpx1ifjiw9/RafLxIY3BqHvdXf platform-break-glass",
} as const;

export const ENVIRONMENTS: readonly EnvironmentSettings[] = [
  {
    ...shared,
    name: "dev",
    subscriptionId: "1a2b3c4d-0000-4000-8000-00000000d001",
    location: "westeurope",
    namePrefix: "contoso-dev",
    tags: { environment: "dev", owner: "platform-team", costCenter: "cc-1001" },
    appServiceSku: "S1",
    storageReplication: "LRS",
    protectIdentities: false,
    keyVaultPurgeProtection: false,
    network: { addressSpace: "10.10.0.0/16", computeSubnet: "10.10.1.0/24" },
    vmSize: "Standard_B2s",
    jobsInstances: 1,
    aksSystemPool: { vmSize: "Standard_D4ds_v5", nodeCount: 2 },
    extraWorkloads: ["load-generator"],
    guardrails: { severity: "warning" },
  },
  {
    ...shared,
    name: "staging",
    subscriptionId: "1a2b3c4d-0000-4000-8000-00000000e002",
    location: "westeurope",
    namePrefix: "contoso-stg",
    tags: { environment: "staging", owner: "platform-team", costCenter: "cc-1001" },
    appServiceSku: "S1",
    storageReplication: "ZRS",
    protectIdentities: false,
    keyVaultPurgeProtection: true,
    network: { addressSpace: "10.20.0.0/16", computeSubnet: "10.20.1.0/24" },
    vmSize: "Standard_B2s",
    jobsInstances: 2,
    aksSystemPool: { vmSize: "Standard_D4ds_v5", nodeCount: 2 },
    guardrails: { severity: "error" },
  },
  {
    ...shared,
    name: "prod",
    subscriptionId: "1a2b3c4d-0000-4000-8000-00000000f003",
    location: "westeurope",
    namePrefix: "contoso-prod",
    tags: { environment: "prod", owner: "platform-team", costCenter: "cc-2001", criticality: "high" },
    appServiceSku: "P1v3",
    storageReplication: "GZRS",
    protectIdentities: true,
    keyVaultPurgeProtection: true,
    network: { addressSpace: "10.30.0.0/16", computeSubnet: "10.30.1.0/24" },
    vmSize: "Standard_D2s_v5",
    jobsInstances: 3,
    aksSystemPool: { vmSize: "Standard_D8ds_v5", nodeCount: 3 },
    guardrails: { severity: "error" },
  },
];
