import type { ServiceDefinition } from ".";
import { isNotApplicable } from "./part";
import { registeredServices } from "./registry";

/**
 * The mocks part: what the Terraform gate (`tools/terraform-gate`) mocks for a service's types
 * when `terraform test` runs with `mock_provider "azurerm"`. The values must look like Azure's:
 * the real provider's validators still run on every argument a mocked value flows into.
 */

/** The mocked world a value is built in: one subscription, resource group and tenant. */
export interface MockWorld {
  readonly subscription: string;
  readonly resourceGroup: string;
  /** `/subscriptions/<subscription>/resourceGroups/<resourceGroup>` */
  readonly resourceGroupId: string;
  readonly tenant: string;
  /** A stable UUID for a seed: same input, same HCL. */
  uuid(seed: string): string;
  /** The mocked ARM id of `Namespace/type[/childType...]`, one mock name per type segment. */
  armId(azureType: string): string;
  /** The mock name of an Azure type's resources. */
  name(azureType: string): string;
}

/** The resource a value is mocked for: its mocked id and the names in it (its own last). */
export interface MockedResource {
  readonly id: string;
  readonly names: readonly string[];
  readonly name: string;
}

export interface MocksPart {
  /** Terraform types whose resource has an `identity` block with computed principal_id and tenant_id. */
  readonly identityBlock?: readonly string[];
  /**
   * By terraform type: its computed-only attributes (no `...Input` getter in the binding) whose
   * shape matters: ids, UUIDs, URLs, host names. Others are left to Terraform's generated strings.
   */
  readonly computed?: Readonly<Record<string, readonly string[]>>;
  /** By terraform type and attribute: a computed value the gate's generic ones (UUIDs, IP addresses) do not give. */
  readonly values?: Readonly<
    Record<string, Readonly<Record<string, (world: MockWorld, resource: MockedResource) => string>>>
  >;
  /** By terraform type: its id, where azurerm 4.55 does not write `<resource group>/providers/<Azure type>/<name>`. */
  readonly ids?: Readonly<Record<string, (world: MockWorld) => string>>;
  /** By Azure type: a readable mock name, valid under Azure's naming rule for it (the gate's tests parse them). */
  readonly names?: Readonly<Record<string, string>>;
  /** By type: the whole values of a data source Azure answers about the caller, not about a resource. */
  readonly dataSources?: Readonly<Record<string, (world: MockWorld) => Readonly<Record<string, string>>>>;
}

export interface MockTables {
  readonly identityBlock: ReadonlySet<string>;
  readonly computed: Readonly<Record<string, readonly string[]>>;
  readonly values: ReadonlyMap<string, (world: MockWorld, resource: MockedResource) => string>;
  readonly ids: ReadonlyMap<string, (world: MockWorld) => string>;
  /** Keyed by lower-case Azure type: Azure compares them case-insensitively. */
  readonly names: ReadonlyMap<string, string>;
  readonly dataSources: ReadonlyMap<string, (world: MockWorld) => Readonly<Record<string, string>>>;
}

const partOf = (service: ServiceDefinition): MocksPart | undefined =>
  service.mocks === undefined || isNotApplicable(service.mocks) ? undefined : service.mocks;

let tables: (MockTables & { readonly services: number }) | undefined;

/** Every service's mocks merged, rebuilt when a service registers; the first service to mock something wins, in registry order. */
export function mockTables(): MockTables {
  const services = registeredServices();
  if (tables?.services === services.length) return tables;
  const parts = services.flatMap((s) => partOf(s) ?? []);
  const first = <V>(entries: readonly (readonly [string, V])[]) => {
    const map = new Map<string, V>();
    for (const [k, v] of entries) if (!map.has(k)) map.set(k, v);
    return map;
  };
  tables = {
    services: services.length,
    identityBlock: new Set(parts.flatMap((p) => p.identityBlock ?? [])),
    computed: Object.fromEntries(first(parts.flatMap((p) => Object.entries(p.computed ?? {})))),
    values: first(
      parts.flatMap((p) =>
        Object.entries(p.values ?? {}).flatMap(([type, byAttribute]) =>
          Object.entries(byAttribute).map(([attribute, value]) => [`${type}.${attribute}`, value] as const),
        ),
      ),
    ),
    ids: first(parts.flatMap((p) => Object.entries(p.ids ?? {}))),
    names: first(
      parts.flatMap((p) => Object.entries(p.names ?? {}).map(([type, name]) => [type.toLowerCase(), name] as const)),
    ),
    dataSources: first(parts.flatMap((p) => Object.entries(p.dataSources ?? {}))),
  };
  return tables;
}
