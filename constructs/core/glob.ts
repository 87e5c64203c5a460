/** A pattern's elements: a literal character, `?` (any one character) or `*` (any run). */
export type Glob = readonly (string | typeof ONE | typeof ANY)[];
export const ONE = Symbol("?");
export const ANY = Symbol("*");

/**
 * Every string `inner` matches, `outer` matches: greedy glob matching over `inner`'s elements, where
 * an inner `*` is met only by an outer `*`, an inner `?` by an outer `?` or `*`, a character by
 * itself too. Sound (a match proves inclusion), not complete: what it cannot prove is not included.
 */
export function globIncludes(outer: Glob, inner: Glob): boolean {
  let [oi, ii, star, resume] = [0, 0, -1, 0];
  while (ii < inner.length) {
    const o = outer[oi];
    if (oi < outer.length && o === ANY) {
      star = oi++;
      resume = ii;
    } else if (oi < outer.length && inner[ii] !== ANY && (o === ONE ? true : o === inner[ii])) {
      oi++;
      ii++;
    } else if (star >= 0) {
      oi = star + 1;
      ii = ++resume;
    } else return false;
  }
  while (oi < outer.length && outer[oi] === ANY) oi++;
  return oi === outer.length;
}
