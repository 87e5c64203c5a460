/**
 * `npm run validate` reads the synth folder it is pointed at: a stack file that is no stack, or no
 * regular file at all, is refused with exit 2 naming the file, before terraform runs; never a
 * TypeError, a hang on a FIFO, or a gate that passes `[]`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../tools/validate";
import { tempDirs } from "./helpers";

const tempDir = tempDirs("validate-hostile-");

/** A synth folder whose stack `dev` is made by `make` at the given path. */
function synthFolder(make: (file: string) => void): { dir: string; file: string } {
  const dir = tempDir();
  mkdirSync(join(dir, "stacks", "dev"), { recursive: true });
  const file = join(dir, "stacks", "dev", "cdk.tf.json");
  make(file);
  return { dir, file };
}

/** validate --no-synth with a terraform that records being run: it must not be. */
function run(dir: string) {
  const bin = tempDir();
  const log = join(bin, "calls.log");
  writeFileSync(join(bin, "terraform"), `#!/bin/sh\necho "$1" >> "${log}"\nexit 0\n`, { mode: 0o755 });
  const lines: string[] = [];
  const code = main(
    ["--no-synth", "--output", dir],
    { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    {
      log: (l) => lines.push(l),
      error: (l) => lines.push(l),
    },
  );
  expect(existsSync(log)).toBe(false);
  return { code, text: lines.join("\n") };
}

const written = (content: string) => (file: string) => writeFileSync(file, content);

describe("npm run validate refuses a stack file that is no stack", () => {
  it.each([
    ["null", written("null"), "field (top level): Invalid input: expected object, received null"],
    ["a list", written("[]"), "field (top level): Invalid input: expected object, received array"],
    ["a string", written('"dev"'), "field (top level): Invalid input: expected object, received string"],
    ["resources that are a string", written('{"resource":"x"}'), "field .resource: Invalid input: expected record"],
    [
      "a null resource type",
      written('{"resource":{"azurerm_role_assignment":null}}'),
      "field .resource.azurerm_role_assignment:",
    ],
    [
      "a resource that is a number",
      written('{"data":{"azurerm_client_config":{"current":5}}}'),
      "field .data.azurerm_client_config.current: Invalid input: expected object, received number",
    ],
  ])("%s: exit 2 naming the file and the field", (_, make, why) => {
    const { dir, file } = synthFolder(make);
    const { code, text } = run(dir);
    expect(code).toBe(2);
    expect(text).toContain(`validate: ${file} is not a synthesized stack: ${why}`);
  });

  it("names the file that is not JSON", () => {
    const { dir, file } = synthFolder(written('{"resource": {'));
    expect(run(dir)).toEqual({
      code: 2,
      text: expect.stringMatching(new RegExp(`^validate: ${file} is not readable JSON: .*; run npx cdktf synth\\n`)),
    });
  });

  it.each([
    ["a folder", (file: string) => mkdirSync(file)],
    ["a link to a device that never ends", (file: string) => symlinkSync("/dev/zero", file)],
    ["a FIFO, which would block the read forever", (file: string) => execFileSync("mkfifo", [file])],
  ])("refuses %s as not a regular file", (_, make) => {
    const { dir, file } = synthFolder(make);
    expect(run(dir)).toEqual({ code: 2, text: expect.stringContaining(`${file} is not a regular file`) });
  });

  it("refuses a file far larger than any stack without reading it", () => {
    const { dir, file } = synthFolder((f) => {
      writeFileSync(f, "{}");
      truncateSync(f, (64 << 20) + 1);
    });
    expect(run(dir)).toEqual({
      code: 2,
      text: expect.stringContaining(`${file} is 67108865 bytes, more than a stack's 67108864`),
    });
  });

  it("says there is no stack when `stacks` is a file, not that a stack is unreadable", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "stacks"), "");
    expect(run(dir)).toEqual({
      code: 2,
      text: expect.stringContaining(`no synthesized stack in ${join(dir, "stacks")}`),
    });
  });
});
