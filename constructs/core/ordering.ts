/** Code-point order: the same on every machine, whatever its locale (localeCompare is not). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator over several text keys, in order. */
export function byKeys<T>(...keys: ReadonlyArray<(item: T) => string>): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const c = compareText(key(a), key(b));
      if (c !== 0) return c;
    }
    return 0;
  };
}
