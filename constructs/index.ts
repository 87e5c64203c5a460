// The library's public API. Everything not exported here is internal and may change in any release.

// Identities: who a compute, pod or pipeline runs as.
export { Identity } from "./identity-choice";
export type { IdentityChoice, SystemAssignedChoice, UserAssignedIdentityChoice } from "./identity-choice";
export type { IManagedIdentity, IUserAssignedIdentity } from "./identity";
export { ExistingUserAssignedIdentity, UserAssignedIdentity } from "./user-assigned-identity";
export type { UserAssignedIdentityProps } from "./user-assigned-identity";

// Roles, targets and grants: `target.allow(role, reason)` asks, `target.grant(identity, role, options)` grants now.
export { Roles } from "./services";
export type {
  AzureRoleDefinition,
  DataPlaneRoleDefinition,
  RoleDefinition,
  RoleService,
  RoleSystem,
} from "./role-catalog";
export { ResourceId } from "./azure-ids";
export type { Grant, GrantOptions, GrantRequest } from "./grant";
export { ScopeTarget } from "./targets";
export type { ExistingTargetOptions, GrantTarget } from "./targets";
export { KeyVaultTarget } from "./services/key-vault";
export { StorageAccountTarget } from "./services/storage";
export { ContainerRegistryTarget } from "./services/container-registry";
export { ServiceBusNamespaceTarget } from "./services/service-bus";
export { EventHubsNamespaceTarget } from "./services/event-hubs";
export { AppConfigurationTarget } from "./services/app-configuration";
export { CognitiveServicesTarget } from "./services/cognitive-services";
export { KubernetesClusterTarget } from "./services/kubernetes";
export { CosmosDbAccountTarget } from "./services/cosmos-db";
export { RedisCacheTarget } from "./services/redis";
export { SqlServerTarget } from "./services/sql";
export { PostgresServerTarget } from "./services/postgresql";
export { ApplicationInsightsTarget } from "./services/application-insights";
export { EventGridDomainTarget, EventGridTopicTarget } from "./services/event-grid";
export { SearchServiceTarget } from "./services/search";
export { NetworkPath } from "./network-path";
export type {
  AllowAzureServicesProps,
  DatabaseServerTarget,
  PrivateEndpointPathProps,
  VirtualNetworkRulePathProps,
} from "./network-path";

// Compute adapters: what a WorkloadIdentity attaches its identity to.
export { AppServiceCompute } from "./compute/app-service";
export type { FunctionAppOptions } from "./compute/app-service";
export { ContainerAppCompute } from "./compute/container-app";
export { ContainerGroupCompute } from "./compute/container-group";
export { VirtualMachineCompute } from "./compute/virtual-machine";
export type { AttachableCompute } from "./compute/attachable-compute";

// The one unit: identity, attachment, grants and wiring.
export { WorkloadIdentity } from "./workload-identity";
export type { WorkloadIdentityProps } from "./workload-identity";
export { Connections } from "./connections";
export type { IdentityConnection } from "./identity-connection";

// AKS: the cluster's own identities and pods through workload identity.
export { AksClusterIdentity, AksWorkloadIdentity } from "./aks";
export type { AksClusterIdentityProps, AksWorkloadIdentityProps } from "./aks";

// Federation and the deployer: pipelines with no stored secret.
export { FederatedTrust, GitHubSubject } from "./federation";
export type { FederatedTrustProps } from "./federation";
export { GitHubDeployer } from "./github-deployer";
export type { GitHubDeployerProps } from "./github-deployer";

// Policy and guardrails: one call per stack; suppressions with reasons; conditions; registrations.
export { configureIdentityStack } from "./identity-stack";
export { DeveloperAccess } from "./developer-access";
export type { DeveloperAccessProps } from "./developer-access";
export type { IdentityStackOptions } from "./identity-stack";
export type { EnvironmentDeclaration } from "./internal/azure-context";
export { logDataAccess } from "./internal/audit/diagnostics";
export type { AuditLogs, LogDataAccessProps } from "./internal/audit/diagnostics";
export { GuardrailSuppressions } from "./guardrails/suppressions";
export type { Suppression } from "./guardrails/suppressions";
export type { GuardrailSettings, Severity } from "./guardrails/settings";
export { onlyAssignRoles } from "./abac/condition";
export type { AbacCondition } from "./abac/condition";
export { requiredResourceProviders } from "./resource-providers";
export { IdentityConfigError } from "./errors";

// Reports: who gains what, for people and for pull requests.
export { buildAccessReport } from "./estate/access-report";
export type { AccessReport } from "./estate/access-report";
export { diffAccess, renderAccessDiff } from "./estate/access-diff";
export type { EnvironmentDiff, GuardrailRecord } from "./estate/access-diff";
