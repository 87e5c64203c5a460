import { IConstruct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { isRegisteredByDefault, resourceProviderOf } from "../azure/contract/resource-types";

/**
 * The resource providers the stacks' resources need registered in their subscription, sorted:
 * derived from what the stacks declare, so a new kind of resource cannot be forgotten. A resource
 * type the library does not know is an error naming it, not a silent first-deploy failure; name
 * its namespace in `namespaces` (`{ azurerm_maps_account: "Microsoft.Maps" }`).
 */
export function requiredResourceProviders(
  where: IConstruct,
  stacks: readonly TerraformStack[],
  namespaces: Readonly<Record<string, string>> = {},
): string[] {
  const namespaceOf = (type: string) => (Object.hasOwn(namespaces, type) ? namespaces[type] : resourceProviderOf(type));
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
  const unknown = [...types].filter((t) => namespaceOf(t) === undefined).sort();
  if (unknown.length > 0) {
    throw new IdentityConfigError(where, {
      problem:
        "The stacks declare resource types whose resource provider is not known, so the bootstrap cannot register it",
      value: unknown,
      fix: 'name each type\'s namespace in the third argument, e.g. { azurerm_maps_account: "Microsoft.Maps" }',
    });
  }
  const needed = [...types].map((t) => namespaceOf(t)!).filter((ns) => !isRegisteredByDefault(ns));
  return [...new Set(needed)].sort();
}
