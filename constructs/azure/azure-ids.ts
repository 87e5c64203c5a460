import { IConstruct } from "constructs";
import { Token } from "cdktf";
import { IdentityConfigError } from "../core/errors";
import { idTextProblem } from "./azure-names";
import { nameRuleFor, resourceGroupNameRule } from "./contract/resource-types";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Checks a subscription or tenant id: a GUID, or a token Terraform fills in. */
export function requireGuid(where: IConstruct | string, what: string, value: string): string {
  // Ids are built from it, names hashed from it and tenants compared by it, all at synth.
  if (typeof value === "string" && Token.isUnresolved(value))
    throw new IdentityConfigError(where, {
      problem: `The ${what} is a value only Terraform knows (a token), so nothing built from it is known before apply`,
      value,
      fix: `pass the ${what} as a literal GUID (8-4-4-4-12 hexadecimal digits; \`az account show\` prints the subscription's id and tenantId): a variable, a data source's attribute or another resource's cannot stand in for it`,
    });
  if (isGuid(value)) return value;
  throw new IdentityConfigError(where, {
    problem: `${what} is not a GUID`,
    value,
    fix: `pass the ${what} as 8-4-4-4-12 hexadecimal digits, e.g. 00000000-0000-0000-0000-000000000000`,
  });
}

/** How far a role assignment at this id reaches: the guardrails refuse anything above `resource`. */
export type ScopeLevel = "managementGroup" | "subscription" | "resourceGroup" | "resource";

export interface ResourceIdParts {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Resource provider and type path, e.g. `Microsoft.Storage/storageAccounts`. */
  readonly type: string;
  readonly name: string;
}

/**
 * An Azure resource id that knows its subscription, resource group, type and level.
 * Built from names (known before apply) or parsed from an existing resource's id string.
 */
export class ResourceId {
  /** Parses an id string; a malformed id, or a name Azure would refuse, is an error naming `where`. */
  static parse(where: IConstruct | string, id: string): ResourceId {
    return requireAzureNames(where, ResourceId.parseShape(where, id));
  }

  /** Parses an id's structure only (levels, types, names), without Azure's rules for each name. */
  static parseShape(where: IConstruct | string, id: string): ResourceId {
    const bad = (why: string, fix: string): never => {
      throw new IdentityConfigError(where, { problem: `Malformed Azure resource id (${why})`, value: id, fix });
    };
    const example =
      "write it as /subscriptions/<guid>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>, as `az resource show --query id` prints it";
    if (typeof id !== "string" || Token.isUnresolved(id)) {
      bad(
        "it must be a literal string, not a Terraform reference",
        "pass the id string, or a construct from this stack",
      );
    }
    if (!id.startsWith("/") || id.endsWith("/") || id.includes("//"))
      bad("it must start with / and have no empty segment", example);
    const textProblem = idTextProblem(id);
    if (textProblem)
      bad(textProblem, "copy the id exactly as Azure prints it: plain ASCII, no spaces, no `.` or `..` segments");
    const segments = id.slice(1).split("/");
    const mg =
      /^providers$/i.test(segments[0] ?? "") &&
      /^Microsoft\.Management$/i.test(segments[1] ?? "") &&
      /^managementGroups$/i.test(segments[2] ?? "");
    if (mg && segments.length === 4)
      return new ResourceId(id, "managementGroup", "", "", "Microsoft.Management/managementGroups", [segments[3]]);
    if (!/^subscriptions$/i.test(segments[0] ?? "") || segments.length < 2)
      bad("it must begin with /subscriptions/<guid>", example);
    const subscriptionId = segments[1];
    if (!isGuid(subscriptionId)) bad(`subscription "${subscriptionId}" is not a GUID`, example);
    if (segments.length === 2) return new ResourceId(id, "subscription", subscriptionId, "", "", []);
    if (!/^resourceGroups$/i.test(segments[2]) || segments.length < 4)
      bad("the segment after the subscription must be resourceGroups/<name>", example);
    const resourceGroup = segments[3];
    if (segments.length === 4) return new ResourceId(id, "resourceGroup", subscriptionId, resourceGroup, "", []);
    const rest = segments.slice(4);
    if (!/^providers$/i.test(rest[0]) || rest.length < 4 || (rest.length - 2) % 2 !== 0) {
      bad(
        "after the resource group it needs providers/<Namespace>/<type>/<name>, then <childType>/<childName> pairs",
        example,
      );
    }
    const [, namespace, ...typeNamePairs] = rest;
    const types: string[] = [];
    const names: string[] = [];
    for (let i = 0; i < typeNamePairs.length; i += 2) {
      types.push(typeNamePairs[i]);
      names.push(typeNamePairs[i + 1]);
    }
    return new ResourceId(id, "resource", subscriptionId, resourceGroup, `${namespace}/${types.join("/")}`, names);
  }

  /** Builds a top-level resource id from names, validating the subscription id; `child` goes deeper. */
  static fromNames(where: IConstruct | string, parts: ResourceIdParts): ResourceId {
    requireGuid(where, "subscription id", parts.subscriptionId);
    const [namespace, ...types] = parts.type.split("/");
    if (types.length !== 1)
      throw new Error(`fromNames builds top-level resources only, not ${parts.type}: use child() below its parent`);
    const id = `/subscriptions/${parts.subscriptionId}/resourceGroups/${parts.resourceGroup}/providers/${namespace}/${types[0]}/${parts.name}`;
    return requireAzureNames(
      where,
      new ResourceId(id, "resource", parts.subscriptionId, parts.resourceGroup, parts.type, [parts.name]),
    );
  }

  private constructor(
    /** The id as Azure writes it. */
    readonly id: string,
    readonly level: ScopeLevel,
    readonly subscriptionId: string,
    readonly resourceGroup: string,
    /** `Namespace/type[/childType...]`; empty above resource level. */
    readonly type: string,
    /** The name of each type segment, outermost first. */
    readonly names: readonly string[],
  ) {
    // A target's scope is its id: frozen, so nothing changes where an assignment lands after the checks.
    Object.freeze(names);
    Object.freeze(this);
  }

  /** The last name in the id: the resource's (or sub-resource's) own name. */
  get name(): string {
    return this.names[this.names.length - 1] ?? (this.resourceGroup || this.subscriptionId);
  }

  /** A sub-resource of this one, e.g. `child("blobServices/default/containers", "images")`. */
  child(typePath: string, name: string): ResourceId {
    const segments = typePath.split("/");
    const types = segments.filter((_, i) => i % 2 === 0);
    const fixedNames = segments.filter((_, i) => i % 2 === 1);
    return new ResourceId(
      `${this.id}/${typePath}/${name}`,
      "resource",
      this.subscriptionId,
      this.resourceGroup,
      `${this.type}/${types.join("/")}`,
      [...this.names, ...fixedNames, name],
    );
  }

  /** True when this id is of the given `Namespace/type` (Azure compares them case-insensitively). */
  isOfType(type: string): boolean {
    return this.type.toLowerCase() === type.toLowerCase();
  }

  /** True when `other` is this resource or lies inside it. */
  contains(other: ResourceId): boolean {
    const mine = this.id.toLowerCase();
    const theirs = other.id.toLowerCase();
    return theirs === mine || theirs.startsWith(`${mine}/`);
  }

  toString(): string {
    return this.id;
  }
}

/**
 * Checks every name in the id against Azure's naming rule for its type (and the resource group's
 * rule), so a name Azure would refuse, or one that would change the id's shape (`../keys/master`,
 * whitespace, unicode), fails at synth with the rule to follow. Names only Terraform knows are
 * left to Azure.
 */
export function requireAzureNames(where: IConstruct | string, resourceId: ResourceId): ResourceId {
  const [namespace, ...types] = resourceId.type.split("/");
  const checks = [
    ...(resourceId.resourceGroup ? [{ name: resourceId.resourceGroup, rule: resourceGroupNameRule() }] : []),
    ...resourceId.names.map((name, i) => ({
      name,
      rule: nameRuleFor(`${namespace}/${types.slice(0, i + 1).join("/")}`),
    })),
  ];
  for (const { name, rule } of checks) {
    if (!rule || Token.isUnresolved(name) || rule.test(name)) continue;
    throw new IdentityConfigError(where, {
      problem: `${rule.kind[0].toUpperCase()}${rule.kind.slice(1)} name breaks Azure's naming rule`,
      value: name,
      fix: `use ${rule.rule}`,
    });
  }
  return resourceId;
}
