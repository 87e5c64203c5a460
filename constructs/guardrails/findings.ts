import { TerraformDataSource, TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { readEstate } from "../estate/estate-model";
import { RULES } from "./rules";
import { GuardrailSuppressions } from "./suppressions";
import { findExpiredSuppression, findSuppression, RecordedSuppression, todayOf } from "../policy/suppression-record";
import { GuardrailSettings, Severity } from "./settings";
import { byKeys } from "../core/ordering";
import { developerGroupsOf, estateGrantsOf } from "../policy/developer-declarations";

export interface Finding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  readonly constructPath: string;
  readonly address: string;
  readonly message: string;
  readonly fix: string;
  /** The reasoned suppression that silences it, if any. */
  readonly suppression?: RecordedSuppression;
}

/** Runs every rule over the stack as Terraform will see it, overrides and escape hatches included. */
export function evaluateGuardrails(
  stack: TerraformStack,
  settings: GuardrailSettings,
  stackJson = stack.toTerraform(),
): Finding[] {
  const estate = readEstate(stackJson);
  const suppressions = GuardrailSuppressions.under(stack);
  const paths = constructPaths(stack);
  const today = todayOf(settings);
  const context = {
    knownIssuers: settings.knownIssuers ?? [],
    developerGroups: developerGroupsOf(stack),
    estateGrants: estateGrantsOf(stack),
    today,
  };
  return RULES.flatMap((rule) => {
    const severity = settings.rules?.[rule.id] ?? (rule.defaultSeverity === "warning" ? "warning" : settings.severity);
    if (severity === "off") return [];
    return rule.check(estate, context).map((hit) => {
      // The construct that really made the resource: the `//` metadata path in the JSON can be overridden.
      const path = paths.get(hit.resource.address) ?? hit.resource.address;
      const suppression = hit.acceptedBy ?? findSuppression(suppressions, rule.id, path, today);
      const expired = suppression ? undefined : findExpiredSuppression(suppressions, rule.id, path, today);
      return {
        ruleId: rule.id,
        ruleName: rule.name,
        severity,
        constructPath: path,
        address: hit.resource.address,
        message: expired
          ? `${hit.message} (its suppression expired on ${expired.expires}: ${expired.reason})`
          : hit.message,
        fix: hit.fix,
        suppression,
      };
    });
  }).sort(
    byKeys(
      (f) => f.ruleId,
      (f) => f.address,
      (f) => f.message,
    ),
  );
}

/** Terraform address → construct path, from the construct tree itself. */
function constructPaths(stack: TerraformStack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (c instanceof TerraformResource) paths.set(`${c.terraformResourceType}.${c.friendlyUniqueId}`, c.node.path);
    else if (c instanceof TerraformDataSource)
      paths.set(`data.${c.terraformResourceType}.${c.friendlyUniqueId}`, c.node.path);
    else if (c instanceof TerraformOutput) paths.set(`output.${c.friendlyUniqueId}`, c.node.path);
  }
  return paths;
}

/** The line a person reads: rule, address, what is wrong, and the fix. */
export function describeFinding(f: Finding): string {
  return `${f.ruleId} ${f.ruleName} at ${f.address}: ${f.message}. Fix: ${f.fix}`;
}
