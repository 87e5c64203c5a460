// Mocked computed values for `terraform test` with `mock_provider "azurerm"`. They must look like
// Azure's: the real provider's validators still run on every argument a mocked value flows into
// (a role assignment's scope, a federated credential's parent_id, a UUID principal_id), and a
// random 8-character string fails them at plan.
import { createHash } from "node:crypto";
import "../../constructs/services";
import { mockTables, type MockWorld, resourceTypeOfTerraform } from "../../constructs/azure";

const MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const MOCK_RESOURCE_GROUP = "mock-rg";
const RG_ID = `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${MOCK_RESOURCE_GROUP}`;

/** A stable UUID (version-5 shaped) for a seed: same input, same HCL. */
function mockUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const MOCK_TENANT = mockUuid("mock-tenant");

/** A mocked value: a string, or an object for a nested block (Terraform mocks blocks as objects, never lists). */
export type MockValue = string | { readonly [attribute: string]: MockValue };

export interface MockDefaults {
  readonly values: Readonly<Record<string, MockValue>>;
  /** Set when the type is not in the table: the HCL says so, so a reviewer sees the guess. */
  readonly note?: string;
}

/** The mocked world every value is built in. */
const WORLD: MockWorld = {
  subscription: MOCK_SUBSCRIPTION,
  resourceGroup: MOCK_RESOURCE_GROUP,
  resourceGroupId: RG_ID,
  tenant: MOCK_TENANT,
  uuid: mockUuid,
  armId: armIdOf,
  name: nameOf,
};

/**
 * Types whose binding has an `identity` block with computed principal_id and tenant_id, from the
 * service modules (checked against node_modules/@cdktf/provider-azurerm by the gate's tests).
 */
export const identityBlockTypes = (): ReadonlySet<string> => mockTables().identityBlock;

/** Computed-only attributes whose shape matters, by terraform type, from the service modules. */
export const computedAttributes = (): Readonly<Record<string, readonly string[]>> => mockTables().computed;

/** The mock name of an Azure type's resources: its service's, else one from its last type segment. */
function nameOf(azureType: string): string {
  const segment = azureType.split("/").at(-1)!;
  return mockTables().names.get(azureType.toLowerCase()) ?? `mock-${segment.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
}

/** An ARM id of `Namespace/type[/childType...]`, one mock name per type segment. */
function armIdOf(azureType: string): string {
  const [namespace, ...types] = azureType.split("/");
  const path = types.map((t, i) => `${t}/${nameOf([namespace, ...types.slice(0, i + 1)].join("/"))}`).join("/");
  return `${RG_ID}/providers/${namespace}/${path}`;
}

/** Attributes whose values are UUIDs, whatever the type. */
const UUID_ATTRIBUTES = new Set([
  "app_id",
  "client_id",
  "guid",
  "object_id",
  "principal_id",
  "resource_guid",
  "unique_id",
  "virtual_machine_id",
  "workspace_id",
]);

function attributeValue(terraformType: string, attribute: string, id: string): string {
  // `/subscriptions/s/resourceGroups/rg/providers/Namespace/type/name[/type/name...]`: the names.
  const names = id
    .split("/")
    .slice(7)
    .filter((_, i) => i % 2 === 1);
  const name = names[names.length - 1] ?? "mock";
  const own = mockTables().values.get(`${terraformType}.${attribute}`);
  if (own) return own(WORLD, { id, names, name });
  if (attribute === "tenant_id") return MOCK_TENANT;
  if (UUID_ATTRIBUTES.has(attribute)) return mockUuid(`${terraformType}.${attribute}`);
  if (attribute === "resource_manager_id") return id;
  if (attribute === "private_ip_address") return "10.0.1.4";
  if (attribute === "ip_address" || attribute === "static_ip_address") return "20.50.0.4";
  if (attribute === "mac_address") return "00-0D-3A-2B-4C-5D";
  throw new Error(
    `mock-defaults: no mock value for ${terraformType}.${attribute}; add one to the mocks part of its service module (constructs/services)`,
  );
}

/** The mocked defaults of one resource (`kind` "resource") or data source type. */
export function mockDefaultsFor(terraformType: string, kind: "resource" | "data"): MockDefaults {
  const dataSource = kind === "data" ? mockTables().dataSources.get(terraformType) : undefined;
  if (dataSource) return { values: dataSource(WORLD) };
  const azureType = resourceTypeOfTerraform(terraformType)?.azureType;
  const special = mockTables().ids.get(terraformType);
  if (!azureType && !special) {
    const name = terraformType.replace(/^azurerm_/, "").replace(/_/g, "-");
    return {
      values: { id: `${RG_ID}/providers/Microsoft.Resources/unmappedTypes/mock-${name}` },
      note: `${terraformType} is no registered service's resource type: only a generic ARM id is mocked; add the type to its service's resourceTypes part (constructs/services/<service>.ts) if its id is parsed`,
    };
  }
  const id = special ? special(WORLD) : armIdOf(azureType!);
  const values: Record<string, MockValue> = { id };
  for (const attribute of computedAttributes()[terraformType] ?? [])
    values[attribute] = attributeValue(terraformType, attribute, id);
  // A data source's identity is a computed list attribute, not a block: an object would not convert.
  if (kind === "resource" && identityBlockTypes().has(terraformType)) {
    values.identity = { principal_id: mockUuid(`${terraformType}.identity.principal_id`), tenant_id: MOCK_TENANT };
  }
  return { values };
}
