import { refuseForeignElements, stackOf } from "./runtime";
import { IConstruct } from "constructs";
import { ISynthesisSession, TerraformStack } from "cdktf";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { IdentityConfigError } from "./errors";

/** The stack's Terraform JSON, rendered once per synthesis however many hooks read it. */
export type StackJson = () => Readonly<Record<string, any>>;

/** What a hook returns: files to write beside the stack's cdk.tf.json, by name. */
export type SynthesisFiles = Readonly<Record<string, string>> | void;

// cdktf's own hook for constructs that take part in synthesis (TerraformAsset uses it): it runs
// after Aspects and validations, and before annotations are collected and the stack is written.
const CUSTOM_SYNTHESIS = Symbol.for("cdktf/customSynthesis");
const TERRAFORM_FILE = /\.(tf|tf\.json|tfvars|tfvars\.json)$/i;
const rendered = new WeakMap<TerraformStack, { session: ISynthesisSession; json: Record<string, any> }>();
/** The synthesis each hook's host last ran in: what the stack's gate checks. */
const ranIn = new WeakMap<IConstruct, ISynthesisSession>();

/**
 * Runs `hook` on `host` (a construct of the stack) while cdktf synthesizes the stack: annotations
 * it adds still fail or warn this synth. Rendering a large stack takes seconds, so every hook of
 * the stack shares one rendering.
 */
export function onStackSynthesis(host: IConstruct, hook: (json: StackJson) => SynthesisFiles): void {
  const stack = stackOf(host);
  const onSynthesize = (session: ISynthesisSession) => {
    ranIn.set(host, session);
    const json: StackJson = () => {
      const cached = rendered.get(stack);
      if (cached?.session === session) return cached.json;
      refuseForeignElements(stack);
      const fresh = stack.toTerraform();
      rendered.set(stack, { session, json: fresh });
      reuseOnce(stack, fresh);
      return fresh;
    };
    const dir = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
    for (const [name, text] of Object.entries(hook(json) ?? {})) {
      // Terraform loads every .tf, .tf.json and .tfvars file beside the stack: only cdk.tf.json is checked.
      if (TERRAFORM_FILE.test(name) || name.includes("/"))
        throw new Error(
          `[${host.node.path}] A synthesis hook may not write ${name}: Terraform would load it unchecked`,
        );
      writeFileSync(join(dir, name), text);
    }
  };
  Object.defineProperty(host, CUSTOM_SYNTHESIS, { value: { onSynthesize }, enumerable: false });
}

/**
 * Runs `gate` on the stack itself, after every construct's hook (cdktf calls them leaves first,
 * the stack last), once each of `required` has run in this synthesis. A host removed from the
 * tree (`node.tryRemoveChild`, in code or in an aspect) never runs its hook: the stack would be
 * written unjudged, so that is refused. The property cannot be deleted or redefined.
 */
export function gateStackSynthesis(stack: TerraformStack, required: readonly IConstruct[], gate: () => void): void {
  const onSynthesize = (session: ISynthesisSession) => {
    const skipped = required.filter((host) => ranIn.get(host) !== session).map((host) => host.node.path);
    if (skipped.length > 0)
      throw new IdentityConfigError(stack, {
        problem: "Checks of the stack did not run in this synth: their constructs were removed from the stack",
        value: skipped,
        fix: "leave every construct configureIdentityStack adds in the stack (no node.tryRemoveChild, in code or in an aspect)",
      });
    gate();
  };
  Object.defineProperty(stack, CUSTOM_SYNTHESIS, { value: { onSynthesize }, enumerable: false });
}

/**
 * cdktf renders the stack again to write cdk.tf.json right after the custom-synthesis step, with
 * nothing in between that changes it (cdktf/lib/synthesize/synthesizer.js): hand that call the
 * rendering the hooks just made, which saves a second token resolution of the whole stack. The
 * override lives only for that synchronous synth: a microtask removes it whatever happens.
 */
function reuseOnce(stack: TerraformStack, json: Record<string, any>): void {
  // Every hook of the stack has run by then: the rendering (and the estate read from it) need not
  // outlive the write, which keeps a many-stack synth's heap to one stack's rendering at a time.
  const restore = () => {
    delete (stack as { toTerraform?: unknown }).toTerraform;
    rendered.delete(stack);
  };
  Object.defineProperty(stack, "toTerraform", {
    configurable: true,
    value: () => {
      restore();
      return json;
    },
  });
  queueMicrotask(restore);
}
