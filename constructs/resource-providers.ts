import { IConstruct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";
import { IdentityConfigError } from "./errors";
import { REGISTERED_BY_DEFAULT, resourceProviderOf } from "./internal/platform/azure-resource-types";

/**
 * The resource providers the stacks' resources need registered in their subscription, sorted:
 * derived from what the stacks declare, so a new kind of resource cannot be forgotten. A resource
 * type the table does not know is an error naming it, not a silent first-deploy failure.
 */
export function requiredResourceProviders(where: IConstruct, stacks: readonly TerraformStack[]): string[] {
  // Only azurerm resources are Azure resources of a namespace (time_sleep, random_uuid... are not).
  const types = new Set(
    stacks.flatMap((stack) =>
      stack.node
        .findAll()
        .filter((c): c is TerraformResource => c instanceof TerraformResource)
        .map((r) => r.terraformResourceType)
        .filter((t) => t.startsWith("azurerm_")),
    ),
  );
  const unknown = [...types].filter((t) => resourceProviderOf(t) === undefined).sort();
  if (unknown.length > 0) {
    throw new IdentityConfigError(where, {
      problem:
        "The stacks declare resource types whose resource provider is not known, so the bootstrap cannot register it",
      value: unknown,
      fix: "add each type and its Azure type (Namespace/type) to AZURE_TYPE_OF_TERRAFORM in constructs/internal/platform/azure-resource-types.ts of this library (or register its provider in the bootstrap yourself)",
    });
  }
  const namespaces = [...types].map((t) => resourceProviderOf(t)!).filter((ns) => !REGISTERED_BY_DEFAULT.has(ns));
  return [...new Set(namespaces)].sort();
}
