/**
 * The identity a federated credential trusts for: azurerm 4.65 renamed `parent_id` to
 * `user_assigned_identity_id` (CDK Terrain's provider writes the new one, cdktf's only knows the
 * old), and a hand-written credential may use either.
 */
export function federatedParentOf(config: Readonly<Record<string, unknown>>): string {
  return String(config.user_assigned_identity_id ?? config.parent_id ?? "");
}

/**
 * A credential that names two different identities (both attributes, which azurerm 4.73 accepts
 * in one schema): which one Azure trusts cannot be told from the JSON, so no rule can judge it.
 */
export function namesTwoIdentities(config: Readonly<Record<string, unknown>>): boolean {
  const [renamed, old] = [config.user_assigned_identity_id, config.parent_id];
  return renamed != null && old != null && String(renamed).toLowerCase() !== String(old).toLowerCase();
}
