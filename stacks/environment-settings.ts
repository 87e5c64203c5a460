/** What differs between environments, as real teams set it. Ids here are identifiers, not secrets. */
import { Construct } from "constructs";
import { ConversionPhase, GuardrailSettings, IdentityConfigError, MigrationTerms, ResourceId } from "../constructs";

export interface EnvironmentSettings {
  readonly name: "dev" | "staging" | "prod";
  /** Declared to the library (configureIdentityStack's `environment`): production refuses developer access. */
  readonly production: boolean;
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
  /**
   * The environment's virtual network: VMs and AKS nodes in `computeSubnet`, App Service's
   * outbound traffic through `appsSubnet` (delegated to it), private endpoints in `endpointsSubnet`.
   */
  readonly network: {
    readonly addressSpace: string;
    readonly computeSubnet: string;
    readonly appsSubnet: string;
    readonly endpointsSubnet: string;
  };
  readonly vmSize: string;
  readonly jobsInstances: number;
  /** The AKS system pool: Microsoft supports at least 2 nodes of at least 4 vCPUs, not B-series. */
  readonly aksSystemPool: { readonly vmSize: string; readonly nodeCount: number };
  /**
   * Workloads of `OPTIONAL_WORKLOADS` (stacks/workloads/index.ts) this environment runs besides
   * the ones every environment runs, by name.
   */
  readonly extraWorkloads?: readonly string[];
  /**
   * Workloads, by name, whose system-assigned identity this environment converts to a
   * user-assigned one (docs/migrations.md), with the phase the conversion is in.
   */
  readonly identityConversions?: Readonly<Record<string, MigrationTerms<ConversionPhase>>>;
  /** Production fails synth on a finding; dev warns. Settable per rule. */
  readonly guardrails: GuardrailSettings;
  /**
   * The developers' Entra group, which gets the data roles the workloads hold, on the same targets,
   * so the code runs locally with `az login` as it runs in Azure with the managed identity.
   */
  readonly developerAccess?: { readonly groupObjectId: string };
  /** Whether `developerAccess` may be set here: dev by default; production never, whatever this says (the library refuses it too). */
  readonly allowDeveloperAccess?: boolean;
  /** How long the environment's audit workspace keeps who-read-what (30 to 730 days). */
  readonly auditRetentionDays: number;
  /**
   * The environment whose audit workspace receives the tenant's managed-identity sign-ins (Entra
   * `ManagedIdentitySignInLogs`: the token acquisitions the access report's queries and `verify
   * --usage` read), or none. The export is tenant-wide, one setting per destination: sending it to
   * every environment's workspace would put production's sign-ins where developers read, so one
   * workspace holds them and every environment's report points its sign-in queries there
   * (reading them needs Log Analytics Reader on that workspace). Its bootstrap creates the export:
   * the admin applying it needs Security Administrator in Entra, the tenant Entra ID P1 or P2,
   * and azurerm creates it only with a user's Azure CLI sign-in.
   */
  readonly signInLogsTo?: EnvironmentSettings["name"];
  /**
   * The Entra group that administers the environment's databases (Azure SQL's Entra
   * administrator): its members run the database-access statements after apply.
   */
  readonly databaseAdmins: { readonly groupObjectId: string; readonly groupName: string };
  /** Public key of the break-glass admin: VMs accept no password. */
  readonly adminSshPublicKey: string;
}

/** The environment's developer access, when it allows one: people never hold data roles in production. */
export function developerGroupOf(scope: Construct, env: EnvironmentSettings): string | undefined {
  return env.developerAccess ? requireDeveloperAccessAllowed(scope, env, env.developerAccess.groupObjectId) : undefined;
}

/** Refuses developer access where the environment does not allow it, and always in production. */
export function requireDeveloperAccessAllowed(
  scope: Construct,
  env: EnvironmentSettings,
  groupObjectId: string,
): string {
  const refuse = (problem: string, fix: string): never => {
    throw new IdentityConfigError(scope, { problem, value: groupObjectId, fix });
  };
  if (env.production) {
    refuse(
      `Developer access requested for ${env.name}: people never hold data roles in production`,
      "remove developerAccess from the prod settings; in production, people reach data through the workloads",
    );
  }
  if (!(env.allowDeveloperAccess ?? env.name === "dev")) {
    refuse(
      `Developer access requested for ${env.name}, which does not allow it`,
      `remove developerAccess, or set allowDeveloperAccess: true for ${env.name} after the data owners agree`,
    );
  }
  return groupObjectId;
}

/** The environment's audit workspace: the bootstrap stack creates it, the grants send their targets' logs to it. */
export const auditWorkspaceName = (env: EnvironmentSettings): string => `${env.namePrefix}-audit`;

export const auditWorkspaceId = (env: EnvironmentSettings): string =>
  ResourceId.fromNames(env.name, {
    subscriptionId: env.subscriptionId,
    resourceGroup: resourceGroupName(env),
    type: "Microsoft.OperationalInsights/workspaces",
    name: auditWorkspaceName(env),
  }).id;

/** The workspace that receives the tenant's managed-identity sign-ins, when one does. */
export function signInWorkspaceId(env: EnvironmentSettings): string | undefined {
  const receiving = ENVIRONMENTS.find((e) => e.name === env.signInLogsTo && e.tenantId === env.tenantId);
  return receiving ? auditWorkspaceId(receiving) : undefined;
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
  // One tenant: its sign-ins go to production's workspace only (see signInLogsTo).
  signInLogsTo: "prod",
  databaseAdmins: { groupObjectId: "8e4f2b1c-7a6d-4e3f-9b2a-1c0d9e8f7a65", groupName: "contoso-database-admins" },
  adminSshPublicKey:
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPC2csYfh7Ihg0TiGHCpx1ifjiw9/RafLxIY3BqHvdXf platform-break-glass",
} as const;

export const ENVIRONMENTS: readonly EnvironmentSettings[] = [
  {
    ...shared,
    name: "dev",
    production: false,
    subscriptionId: "1a2b3c4d-0000-4000-8000-00000000d001",
    location: "westeurope",
    namePrefix: "contoso-dev",
    tags: { environment: "dev", owner: "platform-team", costCenter: "cc-1001" },
    appServiceSku: "S1",
    storageReplication: "LRS",
    protectIdentities: false,
    keyVaultPurgeProtection: false,
    network: {
      addressSpace: "10.10.0.0/16",
      computeSubnet: "10.10.1.0/24",
      appsSubnet: "10.10.2.0/26",
      endpointsSubnet: "10.10.3.0/27",
    },
    vmSize: "Standard_B2s",
    jobsInstances: 1,
    aksSystemPool: { vmSize: "Standard_D4ds_v5", nodeCount: 2 },
    extraWorkloads: ["load-generator", "invoices"],
    // contoso-dev-developers
    developerAccess: { groupObjectId: "5d1c7e2a-9f3b-4c6d-8e1a-2b3c4d5e6f70" },
    guardrails: { severity: "warning" },
    auditRetentionDays: 30,
  },
  {
    ...shared,
    name: "staging",
    production: false,
    subscriptionId: "1a2b3c4d-0000-4000-8000-00000000e002",
    location: "westeurope",
    namePrefix: "contoso-stg",
    // orders-web will share its identity with the order worker: staging converts it first.
    identityConversions: {
      "orders-web": {
        phase: "both",
        reason:
          "orders-web moves to a user-assigned identity it can share with the order worker; the orders team owns the move",
        expires: "2027-03-31",
      },
    },
    tags: { environment: "staging", owner: "platform-team", costCenter: "cc-1001" },
    appServiceSku: "S1",
    storageReplication: "ZRS",
    protectIdentities: false,
    keyVaultPurgeProtection: true,
    network: {
      addressSpace: "10.20.0.0/16",
      computeSubnet: "10.20.1.0/24",
      appsSubnet: "10.20.2.0/26",
      endpointsSubnet: "10.20.3.0/27",
    },
    vmSize: "Standard_B2s",
    jobsInstances: 2,
    aksSystemPool: { vmSize: "Standard_D4ds_v5", nodeCount: 2 },
    guardrails: { severity: "error" },
    auditRetentionDays: 90,
  },
  {
    ...shared,
    name: "prod",
    production: true,
    subscriptionId: "1a2b3c4d-0000-4000-8000-00000000f003",
    location: "westeurope",
    namePrefix: "contoso-prod",
    tags: { environment: "prod", owner: "platform-team", costCenter: "cc-2001", criticality: "high" },
    appServiceSku: "P1v3",
    storageReplication: "GZRS",
    protectIdentities: true,
    keyVaultPurgeProtection: true,
    network: {
      addressSpace: "10.30.0.0/16",
      computeSubnet: "10.30.1.0/24",
      appsSubnet: "10.30.2.0/26",
      endpointsSubnet: "10.30.3.0/27",
    },
    vmSize: "Standard_D2s_v5",
    jobsInstances: 3,
    aksSystemPool: { vmSize: "Standard_D8ds_v5", nodeCount: 3 },
    guardrails: { severity: "error" },
    auditRetentionDays: 365,
  },
];
