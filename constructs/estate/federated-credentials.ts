/**
 * The identity a federated credential trusts for: azurerm 4.65 renamed `parent_id` to
 * `user_assigned_identity_id` (CDK Terrain's provider writes the new one, cdktf's only knows the
 * old), and a hand-written credential may use either.
 */
export function federatedParentOf(config: Readonly<Record<string, unknown>>): string {
  return String(config.user_assigned_identity_id ?? config.parent_id ?? "");
}
