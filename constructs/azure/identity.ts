import { Construct, IConstruct } from "constructs";
import { ResourceId } from "./azure-ids";
import { AzureContext } from "./azure-context";

export type IdentityKind = "SystemAssigned" | "UserAssigned";

/**
 * A managed identity that roles can be granted to (the `IGrantable` of this library).
 * Grants live under the identity construct, so one (scope, identity, role) has one address.
 */
export interface IManagedIdentity extends IConstruct {
  readonly kind: IdentityKind;
  /** The service principal's object id, which role assignments point at. */
  readonly principalId: string;
  /**
   * The identity's resource id built from names, known before apply: the user-assigned identity's
   * id, or for a system-assigned identity the id of the compute resource that carries it.
   */
  readonly principalResourceId: ResourceId;
  /** The Entra tenant the principal lives in. */
  readonly tenantId: string;
}

/** A user-assigned identity: attachable to many computes; code selects it by client id. */
export interface IUserAssignedIdentity extends IManagedIdentity {
  readonly kind: "UserAssigned";
  /** The resource id to put in a compute's `identity_ids`. */
  readonly id: string;
  /** The client (application) id: `AZURE_CLIENT_ID` for SDKs, and the registry-pull selector. */
  readonly clientId: string;
}

export interface SystemAssignedIdentityProps {
  /** The compute's `identity[0].principal_id` reference. */
  readonly principalId: string;
  /** The compute's resource id built from names. */
  readonly computeResourceId: ResourceId;
}

/** The system-assigned identity of one compute resource: born and deleted with it. */
export class SystemAssignedIdentity extends Construct implements IManagedIdentity {
  readonly kind = "SystemAssigned" as const;
  readonly principalId: string;
  readonly principalResourceId: ResourceId;
  readonly tenantId: string;

  constructor(scope: Construct, id: string, props: SystemAssignedIdentityProps) {
    super(scope, id);
    this.principalId = props.principalId;
    this.principalResourceId = props.computeResourceId;
    this.tenantId = AzureContext.of(this).tenantId;
  }
}

/** The issuer of GitHub Actions' OIDC tokens: what a pipeline's federated credential trusts. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
