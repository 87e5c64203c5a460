import { computeTypes } from "../azure/contract/assignments";
import { serviceTerraformType } from "../azure/contract/resource-types";
import { block, parseReference, TfResource } from "./terraform-json";

export interface Compute {
  readonly resource: TfResource;
  readonly systemAssigned: boolean;
  /** Addresses of the user-assigned identities in its identity block. */
  readonly userAssigned: readonly string[];
  /** App settings or environment variables, when the platform has them (for every container). */
  readonly settings?: readonly Readonly<Record<string, string>>[];
  /** For a slot, its app. */
  readonly parent?: TfResource;
}

/** The stack's computes: what runs code, with the identities it runs as. */
export function readComputes(resources: readonly TfResource[], byAddress: ReadonlyMap<string, TfResource>): Compute[] {
  return resources.filter((r) => computeTypes().has(r.type)).map((r) => readCompute(r, byAddress));
}

function readCompute(resource: TfResource, byAddress: ReadonlyMap<string, TfResource>): Compute {
  const identity = block(resource.config.identity);
  const type = String(identity?.type ?? "");
  const userAssigned = ((identity?.identity_ids ?? []) as unknown[]).map(
    (id) => parseReference(id)?.address ?? String(id),
  );
  const parentRef = parseReference(resource.config.app_service_id ?? resource.config.function_app_id);
  return {
    resource,
    systemAssigned: type.includes("SystemAssigned"),
    userAssigned,
    settings: readSettings(resource),
    parent: parentRef && byAddress.get(parentRef.address),
  };
}

/** The settings code reads: app settings, or each container's environment. */
function readSettings(resource: TfResource): Record<string, string>[] | undefined {
  const c = resource.config;
  if (/_(web|function)_app(_slot)?$/.test(resource.type)) return [c.app_settings ?? {}];
  if (resource.type === serviceTerraformType("Container Apps", "app")) {
    const containers = (block(c.template)?.container ?? []) as Record<string, any>[];
    return containers.map((container) =>
      Object.fromEntries(((container.env ?? []) as Record<string, string>[]).map((e) => [e.name, e.value])),
    );
  }
  if (resource.type === serviceTerraformType("Container Instances", "containerGroup"))
    return ((c.container ?? []) as Record<string, any>[]).map((container) => container.environment_variables ?? {});
  return undefined;
}
