import { ResourceId } from "../azure/azure-ids";
import { Assignment, block, EstateModel, parseReference, TfResource } from "./estate-model";
import { azureIdOf, azureScopeId, parentIdOf } from "./azure-id-of";
import { AuditProfile, auditWorkspace, StackResource } from "../azure/contract/audit";
import { AuditPoint, auditPointOf, isWorkspaceId } from "./audit-catalog";

/** How a data grant's target logs data access: where it should, and the setting that does (if any). */
export interface AuditCoverage {
  readonly point: AuditPoint;
  /** The diagnostic setting that sends the most of the needed categories to a Log Analytics workspace. */
  readonly setting?: TfResource;
  /** The workspace it sends them to, as written. */
  readonly workspace?: string;
  /** Needed categories no setting sends to a workspace. */
  readonly missing: readonly string[];
  /** What else keeps the logs from recording data access (a destination the queries do not read, auditing off). */
  readonly problems: readonly string[];
}

interface SettingFacts {
  readonly resource: TfResource;
  readonly target?: string;
  readonly workspace: string;
  /** Categories as written: Azure's names are matched exactly, as the report's queries and Azure's API spell them. */
  readonly categories: ReadonlySet<string>;
  readonly allLogs: boolean;
  readonly dedicated: boolean;
}

const settingsByEstate = new WeakMap<EstateModel, readonly SettingFacts[]>();

const lower = (id: string | undefined) => id?.toLowerCase();

/** The Azure id a value written in the JSON resolves to, when it is known before apply. */
function idOf(value: unknown, estate: EstateModel): string | undefined {
  return typeof value === "string" ? lower(azureScopeId(value, estate)) : undefined;
}

/** A workspace resource's or data source's address. */
const isWorkspaceAddress = (address: string) =>
  new RegExp(`^(data\\.)?${auditWorkspace().terraformType}\\.[^.]+$`).test(address);

/**
 * A Log Analytics workspace as the setting names it: a literal workspace id, or the id of a
 * workspace resource or data source of the stack. An empty string, another resource's id or a
 * variable sends nothing anyone can query.
 */
function isWorkspace(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const ref = parseReference(value);
  if (ref) return ref.attribute === ".id" && ref.suffix === "" && isWorkspaceAddress(ref.address);
  return isWorkspaceId(value);
}

/** The estate's diagnostic settings that send logs to a Log Analytics workspace, read once per estate. */
function settingsOf(estate: EstateModel): readonly SettingFacts[] {
  const cached = settingsByEstate.get(estate);
  if (cached) return cached;
  const settingType = auditWorkspace().settingTerraformType;
  const settings = estate.resources
    .filter((r) => r.type === settingType && certain(r) && isWorkspace(r.config.log_analytics_workspace_id))
    .map((resource) => {
      const logs = (
        Array.isArray(resource.config.enabled_log) ? resource.config.enabled_log : [resource.config.enabled_log]
      )
        .map((entry: unknown) => block(entry))
        .filter((entry): entry is Record<string, unknown> => entry !== undefined);
      return {
        resource,
        target: idOf(resource.config.target_resource_id, estate),
        workspace: resource.config.log_analytics_workspace_id as string,
        categories: new Set(logs.flatMap((l) => (typeof l.category === "string" ? [l.category] : []))),
        allLogs: logs.some((l) => l.category_group === "allLogs"),
        dedicated: resource.config.log_analytics_destination_type === "Dedicated",
      };
    });
  settingsByEstate.set(estate, settings);
  return settings;
}

/** Parsed scope ids by text, per estate: its grants share a few targets. */
const parsedByEstate = new WeakMap<EstateModel, Map<string, ResourceId | undefined>>();

function tryParse(id: string | undefined, estate: EstateModel): ResourceId | undefined {
  if (id === undefined) return undefined;
  let parsed = parsedByEstate.get(estate);
  if (!parsed) parsedByEstate.set(estate, (parsed = new Map()));
  if (parsed.has(id)) return parsed.get(id);
  let result: ResourceId | undefined;
  try {
    result = ResourceId.parseShape("scope", id);
  } catch {
    result = undefined;
  }
  parsed.set(id, result);
  return result;
}

/** A resource Terraform creates exactly once: one with `count` or `for_each` may not exist at all. */
const certain = (r: TfResource) => r.config.count === undefined && r.config.for_each === undefined;

/** What besides the diagnostic setting the profile needs, judged from the JSON by its service, as problems. */
function needsUnmet(profile: AuditProfile, rootId: string, estate: EstateModel): readonly string[] {
  const server = rootId.toLowerCase();
  const serverType = tryParse(rootId, estate)?.type ?? "";
  return (
    profile.needs?.unmet(
      (resources) =>
        estate.resources
          .filter((r) => r.type === resources.type && lower(parentIdOf(r, resources, serverType, estate)) === server)
          .map((r) => ({ config: r.config, certain: certain(r) })),
      stackResource(server, estate),
    ) ?? []
  );
}

/** The stack's resource (not a data source) whose Azure id, known before apply, is `id` (lower case). */
function stackResource(id: string, estate: EstateModel): StackResource | undefined {
  const resource = estate.resources.find((r) => !r.type.startsWith("data.") && lower(azureIdOf(r, estate)) === id);
  return resource && { config: resource.config, certain: certain(resource) };
}

/**
 * Where a data grant's access is logged, judged from the JSON as Terraform applies it: a
 * diagnostic setting counts when its target resolves to the same Azure id and it sends each
 * needed category (by its exact name, or through the allLogs group) to a Log Analytics workspace,
 * in the table mode the report's queries read; a service that needs more (Azure SQL's auditing
 * policy, PostgreSQL's connection logging) must have it too. Undefined for a grant that is no
 * data role, or on a target no audit profile covers.
 */
export function auditCoverageOf(a: Assignment, estate: EstateModel): AuditCoverage | undefined {
  // The guardrails and the report ask for each grant's coverage, the report twice.
  if (coverageByAssignment.has(a)) return coverageByAssignment.get(a);
  const coverage = judgeCoverage(a, estate);
  coverageByAssignment.set(a, coverage);
  return coverage;
}

/** An assignment belongs to one estate, so its coverage is read once. */
const coverageByAssignment = new WeakMap<Assignment, AuditCoverage | undefined>();

function judgeCoverage(a: Assignment, estate: EstateModel): AuditCoverage | undefined {
  if (a.role?.plane !== "data") return undefined;
  const scope = tryParse(azureScopeId(a.scope.raw, estate), estate);
  const sku = a.scope.resource?.config.sku;
  const point = scope
    ? auditPointOf(scope, a.role.service, typeof sku === "string" && sku.toLowerCase() === "premium")
    : undefined;
  if (!point) return undefined;
  const { profile } = point;
  if (profile.categories.length === 0) return { point, missing: [], problems: [] };
  const missingFrom = (s: SettingFacts) => (s.allLogs ? [] : profile.categories.filter((c) => !s.categories.has(c)));
  const best = settingsOf(estate)
    .filter((s) => s.target === point.resourceId.toLowerCase())
    .map((s) => ({ s, missing: missingFrom(s) }))
    .sort((x, y) => x.missing.length - y.missing.length)[0];
  const needs = needsUnmet(profile, point.rootId, estate);
  if (!best) return { point, missing: profile.categories, problems: needs };
  const mode =
    profile.destinationType === "Dedicated" && !best.s.dedicated
      ? [
          "its setting writes to AzureDiagnostics, not the resource-specific tables the queries read (log_analytics_destination_type = Dedicated)",
        ]
      : [];
  return {
    point,
    setting: best.s.resource,
    workspace: best.s.workspace,
    missing: best.missing,
    problems: [...mode, ...needs],
  };
}
