import { IConstruct } from "constructs";
import { stackOf } from "../core/runtime";
import {
  DefaultTokenResolver,
  dependable,
  StringConcat,
  TerraformResource,
  TerraformStack,
  Token,
  Tokenization,
} from "cdktf";
import { ResourceId } from "./azure-ids";
import { AzureContext } from "./azure-context";
import { IdentityConfigError } from "../core/errors";

const NAME_REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.name\}$/;

/**
 * The literal behind a name, when it is known before apply. `rg.name` is a reference to a
 * resource of this stack whose `name` argument is a literal: follow it, so that ids built from
 * names (and the assignment names hashed from them) stay literals a reviewer can read.
 * Anything else is returned as it is and ends up in a Terraform expression.
 */
export function knownName(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value)) return value;
  const stack = stackOf(scope);
  const match = NAME_REFERENCE.exec(resolveInStack(stack, value));
  if (!match) return value;
  const address = `${match[1]}.${match[2]}`;
  const literal = (resourceAt(stack, address) as { nameInput?: unknown } | undefined)?.nameInput;
  return typeof literal === "string" && !Token.isUnresolved(literal) ? literal : value;
}

const ID_REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.id\}$/;

/**
 * The stack whose resource a token references. Resolved outside a synth, a reference reads as the
 * same address in every stack (and resolving it for a synth makes the remote-state read a
 * cross-stack check is there to prevent), so this reads the stack the reference keeps:
 * `originStack`, which cdktf and CDK Terrain both set on a resource attribute's reference and
 * build their cross-stack outputs from.
 */
function originStackOf(value: string): TerraformStack | undefined {
  return Tokenization.reverseString(value)
    .tokens.map((token) => (token as { originStack?: unknown }).originStack)
    .find((stack): stack is TerraformStack => TerraformStack.isStack(stack));
}

/**
 * The resource whose `id` the value is exactly (`${azurerm_subnet.x.id}`), in the stack the
 * reference was made in, this one or another, if any. A token that keeps no stack (a `Lazy`, which
 * could produce any stack's reference) references nothing the library can follow.
 */
export function idReferenceTarget(value: string): TerraformResource | undefined {
  if (!Token.isUnresolved(value)) return undefined;
  const stack = originStackOf(value);
  if (stack === undefined) return undefined;
  const match = ID_REFERENCE.exec(resolveInStack(stack, value));
  return match ? resourceAt(stack, `${match[1]}.${match[2]}`) : undefined;
}

/**
 * The resource of this stack whose `id` the value is exactly, if any: another stack's resource at
 * the same address (stacks built by one function) is not it.
 */
export function resourceOfIdReference(scope: IConstruct, value: string): TerraformResource | undefined {
  const resource = idReferenceTarget(value);
  return resource && stackOf(resource) === stackOf(scope) ? resource : undefined;
}

const addressIndex = new WeakMap<TerraformStack, Map<string, TerraformResource>>();

/** Resources by Terraform address; re-indexed on a miss, so a large stack is walked rarely. */
function resourceAt(stack: TerraformStack, address: string): TerraformResource | undefined {
  const cached = addressIndex.get(stack)?.get(address);
  if (cached) return cached;
  const index = new Map<string, TerraformResource>();
  for (const c of stack.node.findAll()) {
    if (c instanceof TerraformResource) index.set(`${c.terraformResourceType}.${c.friendlyUniqueId}`, c);
  }
  addressIndex.set(stack, index);
  return index.get(address);
}

/** A value as it will be written into the stack's JSON, e.g. `${azurerm_resource_group.rg.name}`. */
export function resolveInStack(scope: IConstruct, value: string): string {
  const stack = stackOf(scope);
  return String(Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) }));
}

/**
 * Orders `resource` after `dependency` (`depends_on`), keeping what it waits for already. A grant
 * without a resource (a database role, made by statements after apply) has nothing to wait for.
 */
export function dependOn(resource: IConstruct, dependency: TerraformResource | undefined): void {
  if (resource instanceof TerraformResource && dependency)
    resource.dependsOn = [...(resource.dependsOn ?? []), dependable(dependency)];
}

/** A resource of this stack whose id can be built from names known before apply. */
export interface NamedResource extends IConstruct {
  readonly id: string;
  readonly nameInput?: string;
  readonly resourceGroupNameInput?: string;
}

/**
 * The resource's id built from its literal names in the stack's subscription, lower case (Azure
 * compares ids so), to match a literal id against; undefined when a name is unset or a token.
 */
export function literalIdFromNames(resource: NamedResource, type: string): string | undefined {
  const [name, group] = [resource.nameInput, resource.resourceGroupNameInput].map((v) =>
    typeof v === "string" ? knownName(resource, v) : undefined,
  );
  if (name === undefined || group === undefined || Token.isUnresolved(name) || Token.isUnresolved(group))
    return undefined;
  return `/subscriptions/${AzureContext.of(resource).subscriptionId}/resourceGroups/${group}/providers/${type}/${name}`.toLowerCase();
}

/** The resource's id built from its names in the stack's subscription; `kind` names it in errors. */
export function resourceIdOf(resource: NamedResource, type: string, kind: string): ResourceId {
  const name = resource.nameInput === undefined ? undefined : knownName(resource, resource.nameInput);
  const resourceGroup =
    resource.resourceGroupNameInput === undefined ? undefined : knownName(resource, resource.resourceGroupNameInput);
  if (name === undefined || resourceGroup === undefined) {
    throw new IdentityConfigError(resource, {
      problem: `${kind} has no name or resource group set, so its id cannot be known before apply`,
      value: { name: name ?? null, resourceGroup: resourceGroup ?? null },
      fix: "set name and resource_group_name on the resource, or pass the resource id string instead",
    });
  }
  return ResourceId.fromNames(resource, {
    subscriptionId: AzureContext.of(resource).subscriptionId,
    resourceGroup,
    type,
    name,
  });
}

/** Refuses a value only Terraform knows where the library names something after it at synth. */
export function requireLiteral(where: IConstruct, what: string, value: string, fix: string): string {
  if (!Token.isUnresolved(value)) return value;
  throw new IdentityConfigError(where, {
    problem: `${what} is a value only Terraform knows, so what is named after it cannot be named before apply`,
    value: resolveInStack(where, value),
    fix,
  });
}

/**
 * Refuses a construct of another stack: a token crossing stacks becomes a remote-state read, so
 * one stack's plan would wait for another's deploy (or cdktf fails with a raw provider error).
 */
export function requireSameStack(where: IConstruct, what: string, other: IConstruct, fix: string): void {
  const [mine, theirs] = [stackOf(where), stackOf(other)];
  if (mine === theirs) return;
  throw new IdentityConfigError(where, {
    problem: `${what} belongs to stack ${theirs.node.id}, not to this stack ${mine.node.id}`,
    value: other.node.path,
    fix,
  });
}
