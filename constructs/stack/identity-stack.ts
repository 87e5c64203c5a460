import { Construct } from "constructs";
import { AnnotationMetadataEntryType, Annotations, TerraformStack } from "cdktf";
import { AzureContext, EnvironmentDeclaration } from "../azure/azure-context";
import { IdentityConfigError } from "../core/errors";
import { refuseForeign, refuseForeignElementsOnSynth } from "../core/runtime";
import { reportAccessOnSynth } from "../reports/access-report";
import { gateStackSynthesis, onStackSynthesis } from "../core/stack-synthesis";
import { GuardrailSettings } from "../guardrails/settings";
import { Guardrails } from "../guardrails/guardrails";
import { AuditLogs, enableAuditLogs } from "../grants/diagnostics";

export interface IdentityStackOptions {
  /** The subscription the stack's azurerm provider deploys into: resource ids are built in it. */
  readonly subscriptionId: string;
  /** The Entra tenant of the stack's identities and targets. */
  readonly tenantId: string;
  /**
   * The environment the stack belongs to. Production (and a stack that declares nothing, which
   * counts as production) refuses DeveloperAccess, in it or mirroring it, however it is built.
   */
  readonly environment?: EnvironmentDeclaration;
  /** How findings fail the synth (`error`) or warn, per rule if needed; suppression horizon. */
  readonly guardrails: GuardrailSettings;
  /**
   * Audit logging: every target a data role is granted on gets a diagnostic setting that sends
   * its data-access logs (Key Vault AuditEvent, storage reads, writes and deletes...) to this
   * workspace, made by the grant itself; the access report then lists each identity's queries.
   */
  readonly auditLogs?: AuditLogs;
}

/**
 * Makes a stack one the library can judge, in one call: where it deploys, the guardrails (every
 * assignment, as Terraform will apply it, at every synth), the access report beside the stack's
 * JSON, and the check that no cross-stack token ties its plan to another stack's deploy.
 */
export function configureIdentityStack(stack: TerraformStack, options: IdentityStackOptions): void {
  refuseForeign(stack, "The stack", stack);
  refuseForeignElementsOnSynth(stack);
  if (stack.node.tryFindChild("guardrails")) {
    throw new IdentityConfigError(stack, {
      problem: "configureIdentityStack was called twice on this stack (or it has a construct named guardrails)",
      value: stack.node.id,
      fix: "call it once per stack, right after creating the stack",
    });
  }
  AzureContext.register(stack, {
    subscriptionId: options.subscriptionId,
    tenantId: options.tenantId,
    environment: options.environment,
  });
  if (options.auditLogs) enableAuditLogs(stack, options.auditLogs);
  const checks = [
    new Guardrails(stack, "guardrails", options.guardrails),
    reportAccessOnSynth(stack),
    forbidCrossStackReferences(stack),
  ];
  failOnErrors(stack, checks);
  // The synthesizer runs the checks: one replaced or patched could write the stack without them.
  Object.defineProperty(stack, "synthesizer", { value: Object.freeze(stack.synthesizer), writable: false });
}

/**
 * A cross-stack token becomes a remote-state read of the other stack's outputs: this stack's plan
 * then needs the other one deployed first. Deploy order alone is `addDependency`.
 */
function forbidCrossStackReferences(stack: TerraformStack): Construct {
  const host = new Construct(stack, "cross-stack-check");
  onStackSynthesis(host, (json) => {
    for (const name of Object.keys(json().data?.terraform_remote_state ?? {})) {
      Annotations.of(stack).addError(
        `${stack.node.id} references another stack through a cross-stack token (remote state ${name}). Fix: pass the resource id string (built from names) instead, so each stack plans on its own`,
      );
    }
  });
  return host;
}

/**
 * Error findings fail the synth whatever `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS` says: cdktf's
 * own error text suggests that variable, and with it a direct app run writes the stack and exits 0.
 * (`cdktf synth` sets it itself, then fails on the manifest's errors; an app run alone does not.)
 * The stack's own hook runs after every construct's, so all their annotations are in, and only
 * once the `checks` ran (none was removed from the tree); thrown before cdktf writes the stack's JSON.
 */
function failOnErrors(stack: TerraformStack, checks: readonly Construct[]): void {
  gateStackSynthesis(stack, checks, () => {
    const errors = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === AnnotationMetadataEntryType.ERROR)
          .map((m) => `[${c.node.path}] ${String(m.data)}`),
      );
    if (errors.length > 0) throw new GuardrailFailure(stack, errors);
  });
}

/** The synth of a stack with error findings, refused: each finding as cdktf prints it, and what to do. */
class GuardrailFailure extends Error {
  constructor(stack: TerraformStack, errors: readonly string[]) {
    super(
      `${stack.node.id} has ${errors.length} error finding(s):\n${errors.join("\n")}\nFix: fix each one, or suppress it with a reason and an expiry (GuardrailSuppressions.add); CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS does not skip the guardrails`,
    );
    this.name = "GuardrailFailure";
    // The findings are the message: a stack trace into cdktf's synthesizer tells a person nothing.
    this.stack = `${this.name}: ${this.message}`;
  }
}
