import { Finding } from "./findings";
import { RULES } from "./rules";
import { RecordedSuppression } from "../policy/suppression-record";
import { GuardrailSettings } from "./settings";

/** The findings report for tools: every finding, suppressed or not, and every suppression. */
export function findingsJson(
  stackName: string,
  findings: readonly Finding[],
  suppressions: readonly RecordedSuppression[],
  settings: GuardrailSettings,
  developerGroups: ReadonlySet<string>,
): string {
  // What the settings turned down is part of the record: a rule set to "off" reports nothing else.
  const rules = Object.fromEntries(Object.entries(settings.rules ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  const record = {
    severity: settings.severity,
    rules,
    maxExpiryDays: settings.maxExpiryDays ?? null,
    developerGroups: [...developerGroups].sort(),
    // A pinned day decides which suppressions still apply: one in the past keeps expired ones alive.
    ...(settings.today !== undefined && { today: settings.today }),
  };
  return `${JSON.stringify({ stack: stackName, settings: record, findings, suppressions }, null, 2)}\n`;
}

/** SARIF 2.1.0, so code scanning can show the findings on a pull request. */
export function findingsSarif(stackName: string, findings: readonly Finding[]): string {
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "identity-guardrails",
            informationUri: "https://github.com/contoso/identity-platform#guardrails",
            rules: RULES.map((r) => ({ id: r.id, name: r.name, shortDescription: { text: r.description } })),
          },
        },
        automationDetails: { id: `identity-guardrails/${stackName}` },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          level: f.severity,
          message: { text: `${f.message}. Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: `cdktf.out/stacks/${stackName}/cdk.tf.json` } },
              logicalLocations: [{ fullyQualifiedName: f.address, name: f.constructPath, kind: "resource" }],
            },
          ],
          ...(f.suppression ? { suppressions: [{ kind: "inSource", justification: f.suppression.reason }] } : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
