import { IConstruct } from "constructs";
import { TerraformStack } from "cdktf";
import { requireGuid } from "../azure-ids";
import { IdentityConfigError } from "../errors";

/** The subscription and tenant that a stack's azurerm provider deploys into. */
export interface AzureContextProps {
  readonly subscriptionId: string;
  readonly tenantId: string;
}

const contexts = new WeakMap<TerraformStack, AzureContextProps>();

/**
 * Where a stack deploys: resources created in it get resource ids in this subscription, and
 * identities created in it belong to this tenant.
 */
export class AzureContext {
  static register(stack: TerraformStack, props: AzureContextProps): void {
    requireGuid(stack, "subscription id", props.subscriptionId);
    requireGuid(stack, "tenant id", props.tenantId);
    contexts.set(stack, { ...props });
  }

  static of(scope: IConstruct): AzureContextProps {
    const stack = TerraformStack.of(scope);
    const found = contexts.get(stack);
    if (found) return found;
    throw new IdentityConfigError(scope, {
      problem: "No Azure subscription is known for this stack",
      value: stack.node.id,
      fix: "call configureIdentityStack(stack, { subscriptionId, tenantId, guardrails }) on the stack first",
    });
  }
}
