// A leaf of the contract: part files read `isNotApplicable` from here, so the contract's index can
// import their checks without an import cycle.

/** A part a service does not have, and why. */
export interface NotApplicable {
  readonly notApplicable: string;
}

export const notApplicable = (reason: string): NotApplicable => Object.freeze({ notApplicable: reason });

export type Part<T> = T | NotApplicable;

export function isNotApplicable(part: unknown): part is NotApplicable {
  return typeof part === "object" && part !== null && typeof (part as NotApplicable).notApplicable === "string";
}
