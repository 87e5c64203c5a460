import { defineService, notApplicable } from "../azure/contract";
import { aclRefusal } from "../azure/contract/network";
import { role } from "../azure/role-catalog";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { childTarget, GrantTarget, targetOfKind } from "../grants/targets";

// Secrets are on resource-name-rules; keys and certificates are not, so all three follow the Key
// Vault overview's "object-name" (about-keys-secrets-certificates): 1-127 of 0-9, a-z, A-Z and -.
// Older revisions of that page and the portal quickstarts add "starting with a letter"; the
// current overview and resource-name-rules do not, so a leading digit or hyphen is accepted here.
const OBJECT_NAME = {
  min: 1,
  max: 127,
  pattern: /^[A-Za-z0-9-]+$/,
  text: "letters, digits and hyphens only (no periods, slashes, underscores or spaces)",
};

// Common control-plane actions of Microsoft's Key Vault data roles (Reader, Secrets Officer, Administrator).
const KEY_VAULT_READ = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
  "Microsoft.KeyVault/checkNameAvailability/read",
  "Microsoft.KeyVault/deletedVaults/read",
  "Microsoft.KeyVault/locations/*/read",
  "Microsoft.KeyVault/vaults/*/read",
  "Microsoft.KeyVault/operations/read",
];

/** Key Vault: everything the library knows about it. */
export const keyVault = defineService({
  name: "Key Vault",
  namespaces: ["Microsoft.KeyVault"],
  resourceTypes: {
    vault: {
      kind: "Key Vault",
      azureType: "Microsoft.KeyVault/vaults",
      terraformType: "azurerm_key_vault",
      services: ["Key Vault"],
      id: "inResourceGroup",
      name: {
        min: 3,
        max: 24,
        pattern: /^(?!.*--)[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        text: "letters, digits and hyphens; starts with a letter; ends with a letter or digit; no consecutive hyphens",
      },
    },
    secret: {
      kind: "Key Vault secret",
      azureType: "Microsoft.KeyVault/vaults/secrets",
      services: ["Key Vault"],
      id: { path: "secrets" },
      name: OBJECT_NAME,
    },
    key: {
      kind: "Key Vault key",
      azureType: "Microsoft.KeyVault/vaults/keys",
      services: ["Key Vault"],
      id: { path: "keys" },
      name: OBJECT_NAME,
    },
    certificate: {
      kind: "Key Vault certificate",
      azureType: "Microsoft.KeyVault/vaults/certificates",
      services: ["Key Vault"],
      id: { path: "certificates" },
      name: OBJECT_NAME,
    },
  },
  roles: {
    // built-in-roles/security
    KeyVaultSecretsUser: role("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Key Vault", "data", {
      dataActions: [
        "Microsoft.KeyVault/vaults/secrets/getSecret/action",
        "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
      ],
    }),
    KeyVaultSecretsOfficer: role(
      "Key Vault Secrets Officer",
      "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
      "Key Vault",
      "data",
      { actions: KEY_VAULT_READ, dataActions: ["Microsoft.KeyVault/vaults/secrets/*"] },
    ),
    KeyVaultCertificateUser: role(
      "Key Vault Certificate User",
      "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
      "Key Vault",
      "data",
      {
        dataActions: [
          "Microsoft.KeyVault/vaults/certificates/read",
          "Microsoft.KeyVault/vaults/secrets/getSecret/action",
          "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
          "Microsoft.KeyVault/vaults/keys/read",
        ],
      },
    ),
    KeyVaultCryptoUser: role("Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424", "Key Vault", "data", {
      dataActions: [
        "Microsoft.KeyVault/vaults/keys/read",
        "Microsoft.KeyVault/vaults/keys/update/action",
        "Microsoft.KeyVault/vaults/keys/backup/action",
        "Microsoft.KeyVault/vaults/keys/encrypt/action",
        "Microsoft.KeyVault/vaults/keys/decrypt/action",
        "Microsoft.KeyVault/vaults/keys/wrap/action",
        "Microsoft.KeyVault/vaults/keys/unwrap/action",
        "Microsoft.KeyVault/vaults/keys/sign/action",
        "Microsoft.KeyVault/vaults/keys/verify/action",
      ],
    }),
    KeyVaultCryptoServiceEncryptionUser: role(
      "Key Vault Crypto Service Encryption User",
      "e147488a-f6f5-4113-8e2d-b22465e65bf6",
      "Key Vault",
      "data",
      {
        actions: [
          "Microsoft.EventGrid/eventSubscriptions/write",
          "Microsoft.EventGrid/eventSubscriptions/read",
          "Microsoft.EventGrid/eventSubscriptions/delete",
        ],
        dataActions: [
          "Microsoft.KeyVault/vaults/keys/read",
          "Microsoft.KeyVault/vaults/keys/wrap/action",
          "Microsoft.KeyVault/vaults/keys/unwrap/action",
        ],
      },
    ),
    KeyVaultReader: role("Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2", "Key Vault", "data", {
      actions: KEY_VAULT_READ,
      dataActions: ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
    }),
    KeyVaultAdministrator: role(
      "Key Vault Administrator",
      "00482a5a-887f-4fb3-b363-3b7fe8e74483",
      "Key Vault",
      "data",
      { actions: KEY_VAULT_READ, dataActions: ["Microsoft.KeyVault/vaults/*"] },
      { broad: true },
    ),
  },
  authorization: { system: "azure-rbac" },
  assignments: {
    // A vault's inline access policies grant secrets, keys and certificates outside Azure RBAC.
    unread: { blocks: [{ terraformType: "azurerm_key_vault", block: "access_policy" }] },
  },
  keys: notApplicable("no local authentication: a vault's data plane takes Entra tokens only"),
  audit: {
    resources: [
      {
        types: ["Microsoft.KeyVault/vaults"],
        logs: {
          kind: "Key Vault",
          categories: ["AuditEvent"],
          log: {
            table: "AzureDiagnostics",
            where: ['ResourceProvider == "MICROSOFT.KEYVAULT"'],
            callerIs: "identity_claim_oid_g == {oid}",
            operation: "OperationName",
          },
        },
      },
    ],
  },
  network: {
    privateDnsZones: { vault: "privatelink.vaultcore.azure.net" },
    targets: [
      {
        terraformType: "azurerm_key_vault",
        privateLinkGroup: "vault",
        serviceEndpoint: "Microsoft.KeyVault",
        refuses: (config, json) => aclRefusal(json.block(config.network_acls), "network_acls", json),
        children: { azurerm_key_vault_secret: "key_vault_id", azurerm_key_vault_key: "key_vault_id" },
      },
    ],
  },
  mocks: {
    computed: { azurerm_key_vault: ["vault_uri"] },
    values: { azurerm_key_vault: { vault_uri: (_, r) => `https://${r.name}.vault.azure.net/` } },
    // A vault object's id is its data-plane URL.
    ids: {
      azurerm_key_vault_secret: (w) =>
        `https://${w.name("Microsoft.KeyVault/vaults")}.vault.azure.net/secrets/mock-secret/${w.uuid("secret").replace(/-/g, "")}`,
      azurerm_key_vault_key: (w) =>
        `https://${w.name("Microsoft.KeyVault/vaults")}.vault.azure.net/keys/mock-key/${w.uuid("key").replace(/-/g, "")}`,
      azurerm_key_vault_certificate: (w) =>
        `https://${w.name("Microsoft.KeyVault/vaults")}.vault.azure.net/certificates/mock-certificate/${w.uuid("certificate").replace(/-/g, "")}`,
    },
    names: { "Microsoft.KeyVault/vaults": "mock-kv" },
  },
});

// @targets
/** A Key Vault in RBAC mode, or one secret, key or certificate in it; only Key Vault data roles apply. */
export class KeyVaultTarget extends targetOfKind<"Key Vault", KeyVault>(keyVault.resourceTypes.vault, keyVault) {
  /** The vault's URI, which SDK clients and Key Vault references use. */
  get vaultUri(): string {
    return `https://${this.resourceId.name}.vault.azure.net/`;
  }

  secret(name: string): GrantTarget<"Key Vault"> {
    return childTarget(this, keyVault.resourceTypes.secret, name);
  }

  key(name: string): GrantTarget<"Key Vault"> {
    return childTarget(this, keyVault.resourceTypes.key, name);
  }

  certificate(name: string): GrantTarget<"Key Vault"> {
    return childTarget(this, keyVault.resourceTypes.certificate, name);
  }
}
