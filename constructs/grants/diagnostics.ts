import { Construct } from "constructs";
import { Lazy, TerraformLocal, TerraformStack, Token } from "cdktf";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { ResourceId } from "../azure/azure-ids";
import { IdentityConfigError } from "../core/errors";
import { refuseForeign, stackOf } from "../core/runtime";
import { Grant, GrantScope } from "../azure/grant";
import { RoleService } from "../azure/role-catalog";
import { slug } from "../core/slug";
import { uuidv5, ASSIGNMENT_NAMESPACE } from "../core/deterministic-name";
import { auditedKinds, auditWorkspace } from "../azure/contract/audit";
import { AuditPoint, auditPointOf, SIGN_IN_WORKSPACE_LOCAL } from "../estate/audit-catalog";
import { AzureContext } from "../azure/azure-context";
import {
  idReferenceTarget,
  literalIdFromNames,
  requireSameStack,
  resolveInStack,
  resourceIdOf,
} from "../azure/known-values";

/**
 * Where the stack's targets send the logs of who read and wrote their data: the Log Analytics
 * workspace, given once, as `workspace` or as `workspaceId`.
 */
export interface AuditLogs {
  /**
   * The workspace, when this stack creates it (create it before `configureIdentityStack`): its id
   * is built from its literal name and resource group in the stack's subscription, and every
   * diagnostic setting references its `id`, so Terraform creates the workspace first. A workspace
   * of another stack is refused: the reference would become a remote-state read of that stack.
   */
  readonly workspace?: LogAnalyticsWorkspace;
  /**
   * The workspace's resource id: a literal, for a workspace this stack does not create (built from
   * names, e.g. `ResourceId.fromNames(scope, { subscriptionId, resourceGroup, type:
   * "Microsoft.OperationalInsights/workspaces", name })`), or `workspace.id` of a
   * `LogAnalyticsWorkspace` of this stack, which counts as `workspace`. Any other token (a
   * variable, another resource's id, a workspace of another stack) is refused.
   */
  readonly workspaceId?: string;
  /**
   * The workspace that receives the tenant's managed-identity sign-ins (Entra
   * `ManagedIdentitySignInLogs`, exported by one tenant-level setting per destination), when one
   * does: the report's token-acquisition queries run there, and its data queries read the ids
   * there. Unset when no workspace receives them: sign-ins then cannot be judged, and the report
   * and `verify --usage` say so rather than calling every identity unused.
   */
  readonly signInWorkspaceId?: string;
}

/** The audit workspace: its id built from names, and what a setting writes to send logs there. */
interface Destination {
  readonly workspace: ResourceId;
  /** The literal id, or the workspace resource's `id`, which orders each setting after it. */
  readonly reference: string;
}

interface Registered extends Destination {
  readonly host: Construct;
  readonly settings: Map<string, MonitorDiagnosticSetting>;
}

const byStack = new WeakMap<TerraformStack, Registered>();

/** Turns audit logging on for the stack: from now on each data grant's target logs to the workspace. */
export function enableAuditLogs(stack: TerraformStack, audit: AuditLogs): void {
  const workspaceType = auditWorkspace().type;
  const destination = destinationOf(stack, audit);
  const signIns = audit.signInWorkspaceId === undefined ? undefined : ResourceId.parse(stack, audit.signInWorkspaceId);
  if (signIns && !signIns.isOfType(workspaceType)) {
    throw new IdentityConfigError(stack, {
      problem: "The sign-in workspace id is not a Log Analytics workspace",
      value: audit.signInWorkspaceId,
      fix: `pass the id of the ${workspaceType} resource the tenant's ManagedIdentitySignInLogs go to, or leave it unset when none does`,
    });
  }
  const host = new Construct(stack, "audit-logs");
  new TerraformLocal(host, "sign-in-workspace", signIns?.id ?? "none").overrideLogicalId(SIGN_IN_WORKSPACE_LOCAL);
  byStack.set(stack, { ...destination, host, settings: new Map() });
}

/** The fix for a workspace the settings cannot reach by reference. */
const fromNames = (type: string) =>
  `the id string built with ResourceId.fromNames(scope, { subscriptionId, resourceGroup, type: "${type}", name })`;

/** The workspace `auditLogs` names: a literal id, or a workspace of this stack (given, or by its `id`). */
function destinationOf(stack: TerraformStack, audit: AuditLogs): Destination {
  if ((audit.workspace === undefined) === (audit.workspaceId === undefined)) {
    throw new IdentityConfigError(stack, {
      problem: `auditLogs ${audit.workspace === undefined ? "names no workspace" : "names its workspace twice, as workspace and as workspaceId"}`,
      value: {
        workspace: audit.workspace?.node.path ?? null,
        workspaceId: audit.workspaceId === undefined ? null : resolveInStack(stack, audit.workspaceId),
      },
      fix: "give one: workspace (a LogAnalyticsWorkspace of this stack) or workspaceId (a workspace's resource id string)",
    });
  }
  const type = auditWorkspace().type;
  const given = audit.workspace ?? audit.workspaceId!;
  if (typeof given === "string" && !Token.isUnresolved(given)) {
    const workspace = ResourceId.parse(stack, given);
    if (!workspace.isOfType(type)) {
      throw new IdentityConfigError(stack, {
        problem: "The audit workspace id is not a Log Analytics workspace",
        value: given,
        fix: `pass the id of a ${type} resource`,
      });
    }
    return { workspace, reference: sameStackReference(stack, workspace) };
  }
  refuseForeign(stack, "The audit workspace", given);
  const resource = typeof given === "string" ? idReferenceTarget(given) : given;
  if (!(resource instanceof LogAnalyticsWorkspace)) {
    throw new IdentityConfigError(stack, {
      problem: "The audit workspace is neither a literal id nor a Log Analytics workspace of this stack",
      value:
        typeof given === "string" ? resolveInStack(stack, given) : ((given as Partial<Construct>).node?.path ?? null),
      fix: `pass ${fromNames(type)}, or the LogAnalyticsWorkspace this stack creates`,
    });
  }
  requireSameStack(
    stack,
    `The audit workspace ${resource.node.path}`,
    resource,
    `pass ${fromNames(type)}: a reference to another stack's workspace becomes a remote-state read, so this stack's plan would wait for that stack's deploy`,
  );
  const workspace = resourceIdOf(resource, type, "The audit workspace");
  if (Token.isUnresolved(workspace.id)) {
    throw new IdentityConfigError(resource, {
      problem: "The audit workspace's name or resource group is known only to Terraform, so the report cannot name it",
      value: resolveInStack(stack, workspace.id),
      fix: `give the LogAnalyticsWorkspace a literal name and resource group (or a resource group of this stack), or pass ${fromNames(type)}`,
    });
  }
  return { workspace, reference: resource.id };
}

/**
 * The literal id of a workspace, as the settings write it: the `id` of the stack's own workspace of
 * that id when there is one (made before or after configureIdentityStack), so Terraform creates
 * the workspace before the settings that send to it; the literal otherwise. Looked up once, at synth.
 */
function sameStackReference(stack: TerraformStack, workspace: ResourceId): string {
  let found: string | undefined;
  return Lazy.stringValue({
    produce: () =>
      (found ??=
        stack.node
          .findAll()
          // One instance of the stack's own provider: an aliased or counted workspace is not this id.
          .filter(
            (c): c is LogAnalyticsWorkspace =>
              c instanceof LogAnalyticsWorkspace && !c.provider && c.count === undefined && c.forEach === undefined,
          )
          .find((c) => literalIdFromNames(c, auditWorkspace().type) === workspace.id.toLowerCase())?.id ??
        workspace.id),
  });
}

/** Whether a messaging namespace of the stack is on the Premium tier, the one that records data access. */
function isPremium(target: GrantScope): boolean {
  const home = target.home as { skuInput?: unknown } | undefined;
  return typeof home?.skuInput === "string" && home.skuInput.toLowerCase() === "premium";
}

/**
 * Makes sure the target of a data grant logs its data-plane access to the stack's workspace: one
 * diagnostic setting per resource (or storage service), however many grants use it, since Azure
 * refuses a second setting that sends the same category to the same workspace. It lives under
 * the stack's `audit-logs` construct, so its address does not depend on which workload granted first.
 */
export function auditGrant(grant: Grant): void {
  const registered = byStack.get(stackOf(grant.identity));
  const { role, target } = grant;
  // A target in another subscription belongs to another team: the pipeline has no right to change
  // its monitoring there, so its owner (or an admin-applied stack, with logDataAccess) sends its logs.
  const stackSubscription = AzureContext.of(grant.identity).subscriptionId;
  if (!registered || role.plane !== "data" || target.resourceId.subscriptionId !== stackSubscription) return;
  const point = auditPointOf(target.resourceId, role.service, isPremium(target));
  if (!point || point.profile.categories.length === 0) return;
  const key = point.resourceId.toLowerCase();
  if (registered.settings.has(key)) return;
  const readable = slug(`${point.rootId.split("/").pop()}${point.suffix}`);
  const id = registered.host.node.tryFindChild(readable)
    ? `${readable}-${uuidv5(ASSIGNMENT_NAMESPACE, key).slice(0, 8)}`
    : readable;
  registered.settings.set(
    key,
    diagnosticSetting(registered.host, id, target, point, registered.reference, registered.workspace.name),
  );
}

function diagnosticSetting(
  scope: Construct,
  id: string,
  target: GrantScope,
  point: AuditPoint,
  workspaceId: string,
  workspaceName: string,
): MonitorDiagnosticSetting {
  // The target's own resource, as the assignment references it: a resource of the stack orders after it.
  const segments = target.scopeReference.split("/");
  const root = segments.slice(0, segments.length - point.depthBelowRoot).join("/");
  const setting = new MonitorDiagnosticSetting(scope, id, {
    name: `audit-to-${workspaceName}`,
    targetResourceId: `${root}${point.suffix}`,
    logAnalyticsWorkspaceId: workspaceId,
    logAnalyticsDestinationType: point.profile.destinationType,
    enabledLog: point.profile.categories.map((category) => ({ category })),
  });
  point.profile.needs?.write?.(scope, id, root, setting);
  return setting;
}

export interface LogDataAccessProps {
  /** The target whose data-plane access to log (for storage, the service `service` names). */
  readonly target: GrantScope;
  readonly service: RoleService;
  /** The Log Analytics workspace: its id (a reference or a literal) and its name. */
  readonly workspaceId: string;
  readonly workspaceName: string;
}

/**
 * The diagnostic setting a grant would add, for a target the grant cannot log itself: one in
 * another team's subscription, logged from a stack an admin applies with rights there.
 */
export function logDataAccess(scope: Construct, id: string, props: LogDataAccessProps): MonitorDiagnosticSetting {
  const point = auditPointOf(props.target.resourceId, props.service, isPremium(props.target));
  if (!point || point.profile.categories.length === 0) {
    throw new IdentityConfigError(scope, {
      problem: `No audit profile for ${props.target.kind} ${props.target.label}${point?.profile.gap ? `: ${point.profile.gap}` : ""}`,
      value: props.target.resourceId.id,
      fix: `log one of these: ${auditedKinds().join(", ")}`,
    });
  }
  return diagnosticSetting(scope, id, props.target, point, props.workspaceId, props.workspaceName);
}
