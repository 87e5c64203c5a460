import { RolePermissions } from "./role-catalog";
import { ANY, Glob, globIncludes } from "../core/glob";

/**
 * Whether one role's permissions are inside another's, with Azure's semantics: operation names are
 * case-insensitive, `*` matches any run of characters, slashes too (so `*` followed by `/read` is every read), and a
 * role grants its actions less its notActions (data actions likewise). The answer errs one way
 * only: a permission is "inside" when that is proved, and "not inside" whenever it cannot be.
 */
export function permissionsOutside(outer: RolePermissions, inner: RolePermissions): string[] {
  return [
    ...outside(outer.actions, outer.notActions, inner.actions, inner.notActions),
    ...outside(outer.dataActions, outer.notDataActions, inner.dataActions, inner.notDataActions).map(
      (p) => `data ${p}`,
    ),
  ];
}

/** The patterns of `granted` (less `excluded`) that `allowed` less `denied` does not provably cover. */
function outside(
  allowed: readonly string[],
  denied: readonly string[],
  granted: readonly string[],
  excluded: readonly string[],
): string[] {
  const covered = (p: string) =>
    allowed.some((a) => includes(a, p)) &&
    // What the outer role takes away must be disjoint from p, or taken away by the inner role too.
    denied.every((d) => !overlaps(d, p) || excluded.some((e) => includes(e, d)));
  return granted.filter((p) => !covered(p));
}

/**
 * Case folded as an ordinal comparison folds it, for ASCII only: JavaScript's `toLowerCase` makes
 * the Kelvin sign a "k", and a fold wider than Azure's would prove equal what Azure tells apart.
 */
export const foldCase = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Every operation `inner` matches, `outer` matches, ignoring case: glob inclusion where `inner`'s
 * own `*` may only be met by a `*` of `outer`.
 */
export function includes(outer: string, inner: string): boolean {
  const glob = (text: string): Glob => [...foldCase(text)].map((c) => (c === "*" ? ANY : c));
  return globIncludes(glob(outer), glob(inner));
}

/** Whether some operation matches both; "yes" unless their fixed prefixes or suffixes tell them apart. */
function overlaps(a: string, b: string): boolean {
  const [x, y] = [foldCase(a), foldCase(b)];
  if (!x.includes("*")) return includes(y, x);
  if (!y.includes("*")) return includes(x, y);
  const prefix = (s: string) => s.split("*")[0];
  const suffix = (s: string) => (s.includes("*") ? s.slice(s.lastIndexOf("*") + 1) : s);
  const compatible = (p: string, q: string, at: "start" | "end") =>
    at === "start" ? p.startsWith(q) || q.startsWith(p) : p.endsWith(q) || q.endsWith(p);
  return compatible(prefix(x), prefix(y), "start") && compatible(suffix(x), suffix(y), "end");
}
