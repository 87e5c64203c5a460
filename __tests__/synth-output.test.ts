import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../stacks/build-app";
import { tempDirs } from "./helpers";

// The full app, synthesized as `cdktf synth` does, into temp folders.
describe("synthesized output", () => {
  const tempDir = tempDirs("identity-grants-synth-");
  const synthInto = (): string => {
    const dir = tempDir();
    buildApp(dir).synth();
    return dir;
  };

  it("is byte-identical across runs and output folders, reports included, and names no machine path", () => {
    const [first, second] = [synthInto(), synthInto()];
    expect(readdirSync(join(first, "stacks")).sort()).toEqual([
      "dev",
      "dev-bootstrap",
      "dev-developers",
      "prod",
      "prod-bootstrap",
      "staging",
      "staging-bootstrap",
    ]);
    for (const env of [
      "dev",
      "dev-bootstrap",
      "dev-developers",
      "staging",
      "staging-bootstrap",
      "prod",
      "prod-bootstrap",
    ]) {
      const files = readdirSync(join(first, "stacks", env)).sort();
      expect(files).toEqual([
        "access-report.json",
        "access-report.md",
        "cdk.tf.json",
        "guardrails.json",
        "guardrails.sarif",
      ]);
      for (const file of files) {
        const a = readFileSync(join(first, "stacks", env, file), "utf8");
        expect(a).toBe(readFileSync(join(second, "stacks", env, file), "utf8"));
        for (const machinePath of [first, second, process.cwd(), tmpdir()]) expect(a).not.toContain(machinePath);
      }
    }
  });
});
