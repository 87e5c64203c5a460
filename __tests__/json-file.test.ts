import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile } from "../tools/json-file";
import { tempDirs } from "./helpers";

const tempDir = tempDirs("json-file-");

describe("readJsonFile reads what synth writes, however it is handed over", () => {
  it("reads a file with a byte order mark, and one through a link to a regular file", () => {
    const dir = tempDir();
    const file = join(dir, "stack.json");
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    symlinkSync(file, join(dir, "link.json"));
    expect(readJsonFile(file, 1024, "a stack")).toEqual({ json: { a: 1 } });
    expect(readJsonFile(join(dir, "link.json"), 1024, "a stack")).toEqual({ json: { a: 1 } });
  });

  it("refuses bytes that are not UTF-8 and a file over the bound, naming the file", () => {
    const dir = tempDir();
    const file = join(dir, "stack.json");
    writeFileSync(file, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    expect(readJsonFile(file, 1024, "a stack")).toEqual({
      problem: expect.stringMatching(new RegExp(`^${file} is not readable JSON: `)),
    });
    writeFileSync(file, '{"a":1}');
    expect(readJsonFile(file, 3, "a stack")).toEqual({ problem: `${file} is 7 bytes, more than a stack's 3` });
  });
});
