import { byKeys } from "../core/ordering";

/**
 * The walk over a synthesized stack's Terraform JSON: its resources, data sources, module calls
 * and outputs as entries with an address, and the references between them.
 */
export interface TfResource {
  /** `azurerm_role_assignment.x`, or `data.azurerm_user_assigned_identity.x`. */
  readonly address: string;
  readonly type: string;
  /** The construct path cdktf recorded, or the address when there is none. */
  readonly path: string;
  readonly config: Readonly<Record<string, any>>;
}

export interface Reference {
  readonly address: string;
  /** `.id`, `.identity[0].principal_id`... */
  readonly attribute: string;
  /** What follows the reference in the same string: a sub-resource path. */
  readonly suffix: string;
}

const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}(.*)$/;

export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== "string") return undefined;
  const match = REFERENCE.exec(value);
  return match ? { address: match[1], attribute: match[2], suffix: match[3] } : undefined;
}

/** A value written out in the JSON, not one only Terraform knows (no interpolation). */
export const isLiteral = (value: unknown): value is string => typeof value === "string" && !value.includes("${");

/**
 * The labelled entries of a block: Terraform's JSON syntax also accepts a list of objects at every
 * level (`"resource": [{ ... }, { ... }]`), and a reader that skipped lists would see nothing.
 */
export function blockEntries(value: unknown): [string, any][] {
  if (Array.isArray(value)) return value.flatMap((item) => blockEntries(item));
  return value && typeof value === "object" ? Object.entries(value) : [];
}

/** A block as cdktf writes it: an object, or a list of one. */
export function block(value: unknown): Record<string, any> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === "object" ? (first as Record<string, any>) : undefined;
}

/** The stack's resources and data sources, by address. */
export function readResources(stackJson: Readonly<Record<string, any>>): TfResource[] {
  const resources: TfResource[] = [];
  for (const [mode, prefix] of [
    ["resource", ""],
    ["data", "data."],
  ] as const) {
    for (const [type, byName] of blockEntries(stackJson[mode])) {
      for (const [name, config] of blockEntries(byName)) {
        const address = `${prefix}${type}.${name}`;
        resources.push({ address, type: `${prefix}${type}`, path: config?.["//"]?.metadata?.path ?? address, config });
      }
    }
  }
  return resources.sort(byKeys((r) => r.address));
}

/** The stack's module calls, by address. */
export function readModules(stackJson: Readonly<Record<string, any>>): TfResource[] {
  return Object.entries<Record<string, any>>(stackJson.module ?? {})
    .map(([name, config]) => ({
      address: `module.${name}`,
      type: "module",
      path: config?.["//"]?.metadata?.path ?? `module.${name}`,
      config,
    }))
    .sort(byKeys((m) => m.address));
}

/** An output as an entry of the estate: `output.<name>`, its config the output block. */
export function outputEntry(name: string, output: any): TfResource {
  return {
    address: `output.${name}`,
    type: "output",
    path: output?.["//"]?.metadata?.path ?? `output.${name}`,
    config: output,
  };
}
