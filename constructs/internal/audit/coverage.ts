import { ResourceId } from "../../azure-ids";
import { Assignment, block, EstateModel, TfResource } from "../estate/estate-model";
import { azureScopeId } from "../estate/azure-id-of";
import { AuditPoint, auditPointOf } from "./audit-catalog";

/** How a data grant's target logs data access: where it should, and the setting that does (if any). */
export interface AuditCoverage {
  readonly point: AuditPoint;
  /** The diagnostic setting that sends the most of the needed categories to a Log Analytics workspace. */
  readonly setting?: TfResource;
  /** The workspace it sends them to, as written. */
  readonly workspace?: string;
  /** Needed categories no setting sends to a workspace. */
  readonly missing: readonly string[];
}

interface SettingFacts {
  readonly resource: TfResource;
  readonly target?: string;
  readonly workspace?: string;
  readonly categories: ReadonlySet<string>;
  readonly allLogs: boolean;
}

const settingsByEstate = new WeakMap<EstateModel, readonly SettingFacts[]>();

/** The estate's diagnostic settings that send logs to a Log Analytics workspace, read once per estate. */
function settingsOf(estate: EstateModel): readonly SettingFacts[] {
  const cached = settingsByEstate.get(estate);
  if (cached) return cached;
  const settings = estate.resources
    .filter(
      (r) => r.type === "azurerm_monitor_diagnostic_setting" && typeof r.config.log_analytics_workspace_id === "string",
    )
    .map((resource) => {
      const logs = (
        Array.isArray(resource.config.enabled_log) ? resource.config.enabled_log : [resource.config.enabled_log]
      )
        .map((entry: unknown) => block(entry))
        .filter((entry): entry is Record<string, unknown> => entry !== undefined);
      const target =
        typeof resource.config.target_resource_id === "string"
          ? azureScopeId(resource.config.target_resource_id, estate)
          : undefined;
      return {
        resource,
        target: target?.toLowerCase(),
        workspace: resource.config.log_analytics_workspace_id as string,
        categories: new Set(logs.flatMap((l) => (typeof l.category === "string" ? [l.category.toLowerCase()] : []))),
        allLogs: logs.some((l) => typeof l.category_group === "string" && l.category_group.toLowerCase() === "alllogs"),
      };
    });
  settingsByEstate.set(estate, settings);
  return settings;
}

function tryParse(id: string | undefined): ResourceId | undefined {
  try {
    return id === undefined ? undefined : ResourceId.parseShape("scope", id);
  } catch {
    return undefined;
  }
}

/**
 * Where a data grant's access is logged, judged from the JSON as Terraform applies it: a
 * diagnostic setting counts when its target resolves to the same Azure id and it sends each
 * needed category (by name, or through the allLogs group) to a Log Analytics workspace.
 * Undefined for a grant that is no data role, or on a target no audit profile covers.
 */
export function auditCoverageOf(a: Assignment, estate: EstateModel): AuditCoverage | undefined {
  if (a.role?.plane !== "data") return undefined;
  const scope = tryParse(azureScopeId(a.scope.raw, estate));
  const sku = a.scope.resource?.config.sku;
  const point = scope
    ? auditPointOf(scope, a.role.service, typeof sku === "string" && sku.toLowerCase() === "premium")
    : undefined;
  if (!point) return undefined;
  const missingFrom = (s: SettingFacts) =>
    s.allLogs ? [] : point.profile.categories.filter((c) => !s.categories.has(c.toLowerCase()));
  const best = settingsOf(estate)
    .filter((s) => s.target === point.resourceId.toLowerCase())
    .map((s) => ({ s, missing: missingFrom(s) }))
    .sort((x, y) => x.missing.length - y.missing.length)[0];
  return best
    ? { point, setting: best.s.resource, workspace: best.s.workspace, missing: best.missing }
    : { point, missing: point.profile.categories };
}
