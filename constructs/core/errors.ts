import { IConstruct } from "constructs";

/** What went wrong, with which value, and how to fix it: every synth-time error says all three. */
export interface ProblemReport {
  readonly problem: string;
  readonly value: unknown;
  readonly fix: string;
}

/**
 * A synth-time configuration error that names the construct path, the bad value and the fix.
 * Thrown while the app is built, so `cdktf synth` stops before anything is written.
 */
export class IdentityConfigError extends Error {
  readonly constructPath: string;
  readonly problem: string;
  readonly value: unknown;
  readonly fix: string;

  constructor(where: IConstruct | string, report: ProblemReport) {
    const path = typeof where === "string" ? where : where.node.path;
    super(`[${path || "<root>"}] ${report.problem}: ${JSON.stringify(report.value)}. Fix: ${report.fix}`);
    this.name = "IdentityConfigError";
    this.constructPath = path;
    this.problem = report.problem;
    this.value = report.value;
    this.fix = report.fix;
  }
}
