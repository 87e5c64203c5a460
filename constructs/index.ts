// The library's public API. Everything not exported here is internal and may change in any release.

// Identities: who a compute, pod or pipeline runs as.
export { Identity } from "./identities/identity-choice";
export type {
  ConversionChoice,
  IdentityChoice,
  SystemAssignedChoice,
  UserAssignedIdentityChoice,
} from "./identities/identity-choice";
export type { IManagedIdentity, IUserAssignedIdentity } from "./azure/identity";
export { ExistingUserAssignedIdentity, UserAssignedIdentity } from "./identities/user-assigned-identity";
export type { UserAssignedIdentityProps } from "./identities/user-assigned-identity";

// Roles, targets and grants: `target.allow(role, reason)` asks, `target.grant(identity, role, options)` grants now.
export { Roles } from "./services";
export type {
  AzureRoleDefinition,
  DataPlaneRoleDefinition,
  RoleDefinition,
  RoleService,
  RoleSystem,
} from "./azure/role-catalog";
export { ResourceId } from "./azure/azure-ids";
export type { Grant, GrantOptions, GrantRequest } from "./azure/grant";
export { ScopeTarget } from "./grants/targets";
export type { ExistingTargetOptions, GrantTarget } from "./grants/targets";
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
export { mysql, MysqlServerTarget } from "./services/mysql";
export type { MysqlEntraAdministratorProps } from "./services/mysql";
export { ApplicationInsightsTarget } from "./services/application-insights";
export { EventGridDomainTarget, EventGridTopicTarget } from "./services/event-grid";
export { SearchServiceTarget } from "./services/search";
export { SignalRServiceTarget, WebPubSubTarget } from "./services/signalr";
export { NetworkPath } from "./units/network-path";
export type {
  AllowAzureServicesProps,
  DatabaseServerTarget,
  PrivateEndpointPathProps,
  VirtualNetworkRulePathProps,
} from "./units/network-path";

// Services the library does not ship: a definition gives every part (or `notApplicable(reason)`),
// and its targets get the policy, guardrails, report rows and audit the shipped ones get.
export { defineService, notApplicable } from "./azure/contract";
export type { NotApplicable, Part, ServiceDefinition } from "./azure/contract";
export type { ResourceType, ResourceTypesPart } from "./azure/contract/resource-types";
export type { NameRuleSpec } from "./azure/azure-names";
export type { RolesPart } from "./azure/contract/roles";
export type { AuthorizationPart, AzureRbacAuthorization } from "./azure/contract/authorization";
export type { AssignmentsPart } from "./azure/contract/assignments";
export type { KeyJudge, KeyProblem, KeysPart } from "./azure/contract/keys";
export type { AuditedResource, AuditPart, AuditProfile, CallerLog, LoggedNowhere } from "./azure/contract/audit";
export type { NetworkPart } from "./azure/contract/network";
export type { MocksPart } from "./azure/contract/mocks";
export { dataPlaneRole, role as azureRole } from "./azure/role-catalog";
export type { RolePermissions, RolePlane } from "./azure/role-catalog";
export { ServiceTarget } from "./grants/service-target";
export type { GrantableType, ServicesOf } from "./grants/service-target";

// Compute adapters: what a WorkloadIdentity attaches its identity to.
export { AppServiceCompute } from "./compute/app-service";
export type { FunctionAppOptions } from "./compute/app-service";
export { ContainerAppCompute } from "./compute/container-app";
export { ContainerGroupCompute } from "./compute/container-group";
export { VirtualMachineCompute } from "./compute/virtual-machine";
export type { AttachableCompute } from "./compute/attachable-compute";

// The one unit: identity, attachment, grants and wiring.
export { WorkloadIdentity } from "./units/workload-identity";
export type { WorkloadIdentityProps } from "./units/workload-identity";
export { Connections } from "./units/connections";

// Migrations: off stored secrets, and from system- to user-assigned, one phase per change.
export { Migration } from "./units/migrations";
export type { SecretMigration, SecretMigrationProps } from "./units/migrations";
export { CONVERSION_PHASES, SECRET_PHASES } from "./policy/migration-record";
export type {
  ConversionPhase,
  ConversionRecord,
  MigrationRecord,
  MigrationTerms,
  SecretMigrationRecord,
  SecretPhase,
} from "./policy/migration-record";
export type { IdentityConnection } from "./grants/identity-connection";

// AKS: the cluster's own identities and pods through workload identity.
export { AksClusterIdentity, AksWorkloadIdentity } from "./units/aks";
export type { AksClusterIdentityProps, AksWorkloadIdentityProps } from "./units/aks";
export type { SmallSystemPoolAcceptance } from "./compute/aks-platform";

// Federation and the deployer: pipelines with no stored secret.
export { FederatedTrust, GitHubSubject } from "./identities/federation";
export type { FederatedTrustProps } from "./identities/federation";
export { GitHubDeployer } from "./units/github-deployer";
export type { GitHubDeployerProps } from "./units/github-deployer";

// Policy and guardrails: one call per stack; suppressions with reasons; conditions; registrations.
export { configureIdentityStack } from "./stack/identity-stack";
export { DeveloperAccess } from "./units/developer-access";
export type { DeveloperAccessProps } from "./units/developer-access";
export type { IdentityStackOptions } from "./stack/identity-stack";
export type { EnvironmentDeclaration } from "./azure/azure-context";
export { logDataAccess } from "./grants/diagnostics";
export type { AuditLogs, LogDataAccessProps } from "./grants/diagnostics";
export { GuardrailSuppressions } from "./guardrails/suppressions";
export type { Suppression } from "./guardrails/suppressions";
export type { GuardrailSettings, Severity } from "./guardrails/settings";
export { onlyAssignRoles } from "./azure/abac/condition";
export type { AbacCondition } from "./azure/abac/condition";
export { requiredResourceProviders } from "./stack/resource-providers";
export { IdentityConfigError } from "./core/errors";

// Reports: who gains what, for people and for pull requests.
export { buildAccessReport } from "./reports/access-report";
export type { AccessReport, ReportMigration } from "./reports/access-report";
export { diffAccess, renderAccessDiff } from "./reports/access-diff";
export type { EnvironmentDiff, GuardrailRecord } from "./reports/access-diff";
