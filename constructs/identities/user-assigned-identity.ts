import { stackOf } from "../core/runtime";
import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { UserAssignedIdentity as AzUserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { DataAzurermUserAssignedIdentity } from "@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity";
import { ResourceId, requireGuid } from "../azure/azure-ids";
import { identityIdProblem, IdentityIdKind } from "../azure/identity-references";
import { AzureContext } from "../azure/azure-context";
import { IdentityConfigError } from "../core/errors";
import { knownName, resolveInStack } from "../azure/known-values";
import { IUserAssignedIdentity } from "../azure/identity";
import { ResourceTypes } from "../services/resource-types";

const IDENTITY_TYPE = ResourceTypes.userAssignedIdentity.azureType;

export interface UserAssignedIdentityProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags?: Record<string, string>;
  /**
   * Refuse `terraform destroy` of the identity: a replaced identity is a new principal, and every
   * grant it held is lost until re-made. Set it for production.
   */
  readonly preventDestroy?: boolean;
  /**
   * Pins the Terraform address (`azurerm_user_assigned_identity.<logicalId>`), so renaming or
   * moving the construct keeps the identity: a new address would destroy it and create a new
   * principal. `moveFromId` on `resource` (a `moved` block) is the other way to keep it.
   */
  readonly logicalId?: string;
}

const pins = new WeakMap<TerraformStack, Map<string, string>>();

/** Pins the identity's address; a second identity pinned to the same address would replace the first in the output. */
function pin(identity: UserAssignedIdentity, logicalId: string): void {
  const stack = stackOf(identity);
  const taken = pins.get(stack) ?? new Map<string, string>();
  pins.set(stack, taken);
  const holder = taken.get(logicalId);
  if (holder) {
    throw new IdentityConfigError(identity, {
      problem: `Two identities are pinned to one Terraform address (the other is ${holder}): one would silently replace the other`,
      value: logicalId,
      fix: "give each identity its own `logicalId`",
    });
  }
  taken.set(logicalId, identity.node.path);
  identity.resource.overrideLogicalId(logicalId);
}

/** A new user-assigned identity whose resource id is known from its names before apply. */
export class UserAssignedIdentity extends Construct implements IUserAssignedIdentity {
  readonly kind = "UserAssigned" as const;
  readonly resource: AzUserAssignedIdentity;
  readonly id: string;
  readonly principalId: string;
  readonly clientId: string;
  readonly tenantId: string;
  readonly principalResourceId: ResourceId;

  constructor(scope: Construct, id: string, props: UserAssignedIdentityProps) {
    super(scope, id);
    const context = AzureContext.of(this);
    this.resource = new AzUserAssignedIdentity(this, "identity", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    if (props.logicalId) pin(this, props.logicalId);
    this.id = this.resource.id;
    this.principalId = this.resource.principalId;
    this.clientId = this.resource.clientId;
    this.tenantId = context.tenantId;
    this.principalResourceId = ResourceId.fromNames(this, {
      subscriptionId: context.subscriptionId,
      resourceGroup: knownName(this, props.resourceGroupName),
      type: IDENTITY_TYPE,
      name: props.name,
    });
  }
}

export interface ExistingUserAssignedIdentityProps {
  /** The identity's object id. Needed when it lives in another subscription; else read by a data source. */
  readonly principalId?: string;
  /** The identity's client id. Needed when it lives in another subscription; else read by a data source. */
  readonly clientId?: string;
  /** The identity's tenant. Defaults to the stack's tenant. */
  readonly tenantId?: string;
}

/** A user-assigned identity that exists already (a central identity subscription, another stack). */
export class ExistingUserAssignedIdentity extends Construct implements IUserAssignedIdentity {
  readonly kind = "UserAssigned" as const;
  readonly id: string;
  readonly principalId: string;
  readonly clientId: string;
  readonly tenantId: string;
  readonly principalResourceId: ResourceId;

  constructor(scope: Construct, id: string, resourceId: string, props: ExistingUserAssignedIdentityProps = {}) {
    super(scope, id);
    const parsed = ResourceId.parse(this, resourceId);
    if (!parsed.isOfType(IDENTITY_TYPE)) {
      throw new IdentityConfigError(this, {
        problem: `Resource id is not a user-assigned identity (${IDENTITY_TYPE})`,
        value: resourceId,
        fix: `pass the id of a ${IDENTITY_TYPE} resource`,
      });
    }
    const context = AzureContext.of(this);
    this.id = parsed.id;
    this.principalResourceId = parsed;
    this.tenantId = requireGuid(this, "tenant id", props.tenantId ?? context.tenantId);
    const principalId = props.principalId && requireIdentityId(this, "user-assigned principal id", props.principalId);
    const clientId = props.clientId && requireIdentityId(this, "client id", props.clientId);
    if (principalId !== undefined && clientId !== undefined) {
      this.principalId = principalId;
      this.clientId = clientId;
      return;
    }
    if (parsed.subscriptionId.toLowerCase() !== context.subscriptionId.toLowerCase()) {
      throw new IdentityConfigError(this, {
        problem: "An identity in another subscription cannot be read by this stack's provider",
        value: resourceId,
        fix: "pass { principalId, clientId } (from `az identity show --ids <id>`) for an identity outside the stack's subscription",
      });
    }
    const data = new DataAzurermUserAssignedIdentity(this, "lookup", {
      name: parsed.name,
      resourceGroupName: parsed.resourceGroup,
    });
    this.principalId = principalId ?? data.principalId;
    this.clientId = clientId ?? data.clientId;
  }
}

/**
 * An id given for an existing identity, in every environment: a GUID, or another identity's own
 * attribute. Anything else reaches role assignments and database statements as it is.
 */
function requireIdentityId(where: Construct, kind: IdentityIdKind, value: string): string {
  const written = typeof value === "string" ? resolveInStack(where, value) : value;
  const problem = typeof written === "string" ? identityIdProblem(kind, written) : "is not a string";
  if (problem === undefined) return value;
  const what = kind.replace("user-assigned ", "");
  throw new IdentityConfigError(where, {
    problem: `The identity's ${what} ${problem}`,
    value: written,
    fix: `pass the ${what} as \`az identity show --ids <id> --query ${kind === "client id" ? "clientId" : "principalId"}\` prints it (8-4-4-4-12 hexadecimal digits)`,
  });
}
