// How the repository's tools read a JSON file someone hands them: never one that is no regular file
// (a FIFO would block, a link to /dev/zero never ends) or far larger than what synth writes, and
// never bytes that are not UTF-8 (refused, not replaced). A byte order mark is dropped.
import { readFileSync, statSync } from "node:fs";

/** The file's JSON, or why it is unusable, in words that name the file. */
export function readJsonFile(file: string, maxBytes: number, what: string): { json: unknown } | { problem: string } {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return { problem: `${file} is not a regular file` };
    size = stat.size;
  } catch (e) {
    return { problem: `${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (size > maxBytes) return { problem: `${file} is ${size} bytes, more than ${what}'s ${maxBytes}` };
  try {
    return { json: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file))) };
  } catch (e) {
    return { problem: `${file} is not readable JSON: ${(e as Error).message}` };
  }
}

/** A zod issue's path as a reader writes it: `.findings[0].ruleId`, or `(top level)`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") || "(top level)";
}
