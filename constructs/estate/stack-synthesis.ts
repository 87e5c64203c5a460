import { ISynthesisSession, TerraformStack } from "cdktf";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface SynthesisHooks {
  /** Before the stack is written: annotations added here still fail or warn this synth. */
  readonly before?: () => void;
  /** After the stack is written: files returned here are written beside its cdk.tf.json. */
  readonly after?: () => Readonly<Record<string, string>>;
}

/** Runs hooks around the stack's own synthesis, through its public synthesizer. */
export function aroundSynthesis(stack: TerraformStack, hooks: SynthesisHooks): void {
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize: (session: ISynthesisSession) => {
      hooks.before?.();
      inner.synthesize(session);
      const files = hooks.after?.() ?? {};
      const dir = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    },
  };
}
