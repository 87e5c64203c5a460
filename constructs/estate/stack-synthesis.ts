import { ISynthesisSession, TerraformStack } from "cdktf";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The stack's Terraform JSON, rendered once per synthesis however many hooks read it. */
export type StackJson = () => Readonly<Record<string, any>>;

export interface SynthesisHooks {
  /** Before the stack is written: annotations added here still fail or warn this synth. */
  readonly before?: (json: StackJson) => void;
  /** After the stack is written: files returned here are written beside its cdk.tf.json. */
  readonly after?: (json: StackJson) => Readonly<Record<string, string>>;
}

const rendered = new WeakMap<TerraformStack, Record<string, any>>();

/**
 * Runs hooks around the stack's own synthesis, through its public synthesizer. Rendering a large
 * stack to JSON takes seconds, so the hooks share one rendering (annotations do not change it).
 */
export function aroundSynthesis(stack: TerraformStack, hooks: SynthesisHooks): void {
  const inner = stack.synthesizer;
  const json: StackJson = () => {
    const done = rendered.get(stack) ?? stack.toTerraform();
    rendered.set(stack, done);
    return done;
  };
  stack.synthesizer = {
    synthesize: (session: ISynthesisSession) => {
      hooks.before?.(json);
      inner.synthesize(session);
      const files = hooks.after?.(json) ?? {};
      const dir = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    },
  };
}
