import { SuppressionHorizon } from "../policy/suppression-record";

export type Severity = "error" | "warning";

/** How strict an environment is: a default severity, overridden (or turned off) per rule. */
export interface GuardrailSettings extends SuppressionHorizon {
  readonly severity: Severity;
  readonly rules?: Readonly<Record<string, Severity | "off">>;
  /** Token issuers trusted besides GitHub Actions and the stack's own AKS clusters. */
  readonly knownIssuers?: readonly string[];
}
