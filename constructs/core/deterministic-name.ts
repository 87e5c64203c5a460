import { createHash } from "node:crypto";
import { Fn, IFragmentConcatenator, Token, Tokenization } from "cdktf";

/** This project's UUID v5 namespace. Changing it renames (and so replaces) every assignment. */
export const ASSIGNMENT_NAMESPACE = "5353215d-7a40-49bb-a84c-5af019410666";

/** RFC 4122 UUID version 5 (SHA-1), the same function as Terraform's `uuidv5(namespace, name)`. */
export function uuidv5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  if (ns.length !== 16) throw new Error(`uuidv5 namespace must be a UUID, got ${namespace}`);
  const bytes = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The role assignment name for (scope, role, principal resource id). Azure ids are case-insensitive,
 * so the inputs are lower-cased. All three are known before apply, so the name is a literal; when
 * one is only known to Terraform (a name read from a data source), the same function is written as
 * a Terraform `uuidv5` expression over the same values, giving the same UUID at plan time.
 */
export function roleAssignmentName(scopeId: string, roleGuid: string, principalResourceId: string): string {
  const parts = [scopeId, roleGuid, principalResourceId];
  if (parts.some((p) => Token.isUnresolved(p))) {
    const pieces = parts.flatMap((part, i) => [...(i > 0 ? ["|"] : []), ...fragments(part)]);
    return Fn.uuidv5(ASSIGNMENT_NAMESPACE, Fn.lower(Fn.join("", pieces)));
  }
  return uuidv5(ASSIGNMENT_NAMESPACE, parts.join("|").toLowerCase());
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const collect: IFragmentConcatenator = { join: (left, right) => [...asList(left), ...asList(right)] };

/**
 * A string with embedded references as a list of literals and whole references, so Terraform
 * gets `join("", ["/subscriptions/", var.x, ...])` rather than templates inside function calls.
 */
function fragments(value: string): string[] {
  return asList(Tokenization.reverseString(value).join(collect)).map((f) =>
    typeof f === "string" ? f : Token.asString(f),
  );
}
