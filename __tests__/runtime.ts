// The CDK runtime this test run is on (IDENTITY_RUNTIME, see jest.config.js), for the few tests
// that read a runtime's files or its provider's version: derived, so both runtimes run every test.
import { readFileSync } from "node:fs";
import { FederatedIdentityCredential } from "@cdktf/provider-azurerm/lib/federated-identity-credential";
import { RUNTIMES, selectedRuntime } from "../scripts/runtimes";

export const RUNTIME = RUNTIMES[selectedRuntime() as keyof typeof RUNTIMES];

/** The azurerm version the runtime's prebuilt provider binds (its package.json's cdktf.provider.version). */
export const AZURERM_VERSION: string = JSON.parse(
  readFileSync(require.resolve(`${RUNTIME.provider}/package.json`), "utf8"),
).cdktf.provider.version;

/**
 * A federated credential's identity as the runtime's bindings write it: azurerm 4.65 renamed
 * parent_id to user_assigned_identity_id and deprecated resource_group_name.
 */
export function credentialParent(identityId: string, resourceGroup: string): Record<string, string> {
  return "userAssignedIdentityId" in FederatedIdentityCredential.prototype
    ? { user_assigned_identity_id: identityId }
    : { parent_id: identityId, resource_group_name: resourceGroup };
}
