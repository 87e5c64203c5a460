// The CDK runtime this test run is on (IDENTITY_RUNTIME, see jest.config.js), for the few tests
// that read a runtime's files or its provider's version: derived, so both runtimes run every test.
import { readFileSync } from "node:fs";
import { RUNTIMES, selectedRuntime } from "../scripts/runtimes";

export const RUNTIME = RUNTIMES[selectedRuntime() as keyof typeof RUNTIMES];

/** The azurerm version the runtime's prebuilt provider binds (its package.json's cdktf.provider.version). */
export const AZURERM_VERSION: string = JSON.parse(
  readFileSync(require.resolve(`${RUNTIME.provider}/package.json`), "utf8"),
).cdktf.provider.version;

/** A synthesized stack with the runtime's azurerm version replaced, so one snapshot holds for both runtimes. */
export function withoutRuntimeVersions<T>(json: T): T {
  const copy = structuredClone(json) as any;
  const azurerm = copy?.terraform?.required_providers?.azurerm;
  if (azurerm?.version === AZURERM_VERSION) azurerm.version = "<the runtime's azurerm version>";
  return copy;
}
