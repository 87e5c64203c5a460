import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { ResourceId } from "../../azure-ids";
import { IdentityConfigError } from "../../errors";
import { Grant } from "../../grant";
import { slug } from "../slug";
import { uuidv5, ASSIGNMENT_NAMESPACE } from "../deterministic-name";
import { auditPointOf } from "./audit-catalog";

/** Where the stack's targets send the logs of who read and wrote their data. */
export interface AuditLogs {
  /** The Log Analytics workspace's resource id (built from names, e.g. with `ResourceId.fromNames`). */
  readonly workspaceId: string;
}

const WORKSPACE_TYPE = "Microsoft.OperationalInsights/workspaces";

interface Registered {
  readonly workspace: ResourceId;
  readonly host: Construct;
  readonly settings: Map<string, MonitorDiagnosticSetting>;
}

const byStack = new WeakMap<TerraformStack, Registered>();

/** Turns audit logging on for the stack: from now on each data grant's target logs to the workspace. */
export function enableAuditLogs(stack: TerraformStack, audit: AuditLogs): void {
  const workspace = ResourceId.parse(stack, audit.workspaceId);
  if (!workspace.isOfType(WORKSPACE_TYPE)) {
    throw new IdentityConfigError(stack, {
      problem: "The audit workspace id is not a Log Analytics workspace",
      value: audit.workspaceId,
      fix: `pass the id of a ${WORKSPACE_TYPE} resource`,
    });
  }
  byStack.set(stack, { workspace, host: new Construct(stack, "audit-logs"), settings: new Map() });
}

/** The workspace the stack's targets log to, when audit logging is on. */
export function auditWorkspaceOf(stack: TerraformStack): ResourceId | undefined {
  return byStack.get(stack)?.workspace;
}

/** Whether a messaging namespace of the stack is on the Premium tier, the one that records data access. */
function isPremium(grant: Grant): boolean {
  const home = grant.target.home as { skuInput?: unknown } | undefined;
  return typeof home?.skuInput === "string" && home.skuInput.toLowerCase() === "premium";
}

/**
 * Makes sure the target of a data grant logs its data-plane access to the stack's workspace: one
 * diagnostic setting per resource (or storage service), however many grants use it, since Azure
 * refuses a second setting that sends the same category to the same workspace. It lives under
 * the stack's `audit-logs` construct, so its address does not depend on which workload granted first.
 */
export function auditGrant(grant: Grant): void {
  const registered = byStack.get(TerraformStack.of(grant.identity));
  const { role, target } = grant;
  if (!registered || role.plane !== "data") return;
  const point = auditPointOf(target.resourceId, role.service, isPremium(grant));
  if (!point) return;
  const key = point.resourceId.toLowerCase();
  if (registered.settings.has(key)) return;
  // The target's own resource, as the assignment references it: a resource of the stack orders after it.
  const segments = target.scopeReference.split("/");
  const root = segments.slice(0, segments.length - point.depthBelowRoot).join("/");
  const readable = slug(`${point.rootId.split("/").pop()}${point.suffix}`);
  const id = registered.host.node.tryFindChild(readable)
    ? `${readable}-${uuidv5(ASSIGNMENT_NAMESPACE, key).slice(0, 8)}`
    : readable;
  const { profile } = point;
  const setting = new MonitorDiagnosticSetting(registered.host, id, {
    name: `audit-to-${registered.workspace.name}`,
    targetResourceId: `${root}${point.suffix}`,
    logAnalyticsWorkspaceId: registered.workspace.id,
    logAnalyticsDestinationType: profile.destinationType,
    enabledLog: profile.categories.map((category) => ({ category })),
  });
  registered.settings.set(key, setting);
}
