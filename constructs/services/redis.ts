import { defineService } from "../azure/contract";
import { acceptsKeys } from "../azure/contract/keys";
import { dataPlaneRole } from "../azure/role-catalog";
import { commentOf } from "../azure/contract/assignments";
import { RedisCache } from "@cdktf/provider-azurerm/lib/redis-cache";
import { RedisCacheAccessPolicyAssignment } from "@cdktf/provider-azurerm/lib/redis-cache-access-policy-assignment";
import { principalDisplayName } from "../grants/principal-name";
import { targetOfKind } from "../grants/targets";
import { functionsConnection, IdentityConnection } from "../grants/identity-connection";

/** Redis: everything the library knows about it. */
export const redis = defineService({
  name: "Redis",
  namespaces: ["Microsoft.Cache"],
  resourceTypes: {
    cache: {
      kind: "Redis cache",
      azureType: "Microsoft.Cache/redis",
      terraformType: "azurerm_redis_cache",
      services: ["Redis"],
      id: "inResourceGroup",
      name: {
        min: 1,
        max: 63,
        pattern: /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/,
        text: "letters, digits and single hyphens; starts and ends with a letter or digit",
      },
    },
    accessPolicyAssignment: {
      kind: "Redis access policy assignment",
      azureType: "Microsoft.Cache/redis/accessPolicyAssignments",
      terraformType: "azurerm_redis_cache_access_policy_assignment",
      id: { path: "accessPolicyAssignments" },
    },
  },
  roles: {
    // Azure Cache for Redis built-in access policies (Entra authentication).
    RedisDataReader: dataPlaneRole("redis", "Redis Data Reader", "Data Reader", "Redis"),
    RedisDataContributor: dataPlaneRole("redis", "Redis Data Contributor", "Data Contributor", "Redis"),
    RedisDataOwner: dataPlaneRole("redis", "Redis Data Owner", "Data Owner", "Redis", { broad: true }),
  },
  // Entra authentication: an access policy assignment, whose alias clients see as the user name.
  authorization: {
    system: "redis",
    write: ({ identity, id, name, dataPlane, role, dependsOn }) =>
      new RedisCacheAccessPolicyAssignment(identity, id, {
        name,
        redisCacheId: dataPlane.serviceReference,
        accessPolicyName: role.definition,
        objectId: identity.principalId,
        objectIdAlias: principalDisplayName(identity),
        dependsOn,
      }),
  },
  assignments: {
    dialects: [
      {
        system: "redis",
        terraformTypes: ["azurerm_redis_cache_access_policy_assignment"],
        read: ({ config: c }) => [
          {
            scope: c.redis_cache_id,
            roleDefinitionId: c.access_policy_name,
            principalId: c.object_id,
            name: c.name,
            description: commentOf(c),
          },
        ],
      },
    ],
  },
  keys: {
    localAuth: {
      azurerm_redis_cache: (c, block) => {
        if (block(c.redis_configuration)?.active_directory_authentication_enabled !== true)
          return {
            problem: "the cache does not accept Microsoft Entra tokens, so the access policy grants nothing",
            fix: "set redis_configuration.active_directory_authentication_enabled = true",
          };
        return c.access_keys_authentication_enabled === false
          ? undefined
          : acceptsKeys("cache still accepts its access keys", "set access_keys_authentication_enabled = false");
      },
    },
    secretAttributes: {
      azurerm_redis_cache:
        "primary_access_key primary_connection_string redis_configuration.aof_storage_connection_string_0 redis_configuration.aof_storage_connection_string_1 redis_configuration.rdb_storage_connection_string secondary_access_key secondary_connection_string",
      "data.azurerm_redis_cache":
        "primary_access_key primary_connection_string redis_configuration.aof_storage_connection_string_0 redis_configuration.aof_storage_connection_string_1 redis_configuration.rdb_storage_connection_string secondary_access_key secondary_connection_string",
    },
    migration: {
      azurerm_redis_cache: {
        // cache-azure-active-directory-for-authentication: tokens for https://redis.azure.com, or acca5fbb-.../.default.
        tokenResource: { appId: "acca5fbb-b7e4-4009-81f1-37e38fd66d78", displayName: "Azure Cache for Redis" },
        // azure-monitor/reference/tables: ACRConnectedClientList has client IPs and counts, ACREntraAuthenticationAuditLog Entra sign-ins only.
        keyUse: {
          gap: "Redis logs no access-key authentication: its connected-client list counts connections by IP, and its authentication audit log records Entra sign-ins only",
        },
        revoke: "regenerate the primary and secondary access keys: connection strings holding them stop working",
      },
    },
  },
  audit: {
    resources: [
      {
        types: ["Microsoft.Cache/redis"],
        logs: {
          kind: "Redis cache",
          categories: ["MSEntraAuthenticationAuditLog"],
          destinationType: "Dedicated",
          // An Entra client signs in with its object id as user name; the access policy assignment's alias is its name.
          log: {
            table: "ACREntraAuthenticationAuditLog",
            callerIs: "(Username == {oid} or Username == {name})",
            operation: "OperationName",
          },
          gap: "Redis records Entra authentications, not the commands a connection runs",
        },
      },
    ],
  },
  network: {
    privateDnsZones: { redisCache: "privatelink.redis.cache.windows.net" },
    targets: [{ terraformType: "azurerm_redis_cache", privateLinkGroup: "redisCache" }],
  },
  mocks: {
    identityBlock: ["azurerm_redis_cache"],
  },
});

// @targets
/**
 * An Azure Cache for Redis with Microsoft Entra authentication: grants are access policy
 * assignments (Data Reader, Data Contributor, Data Owner), which clients use with the identity's
 * object id as the user name and an Entra token as the password.
 */
export class RedisCacheTarget extends targetOfKind<"Redis", RedisCache>(redis.resourceTypes.cache, redis) {
  get hostName(): string {
    return `${this.resourceId.name}.redis.cache.windows.net`;
  }
}

/** Connections.redis: the host; the client authenticates with the identity's token. */
export const redisConnection = (name: string, cache: RedisCacheTarget): IdentityConnection =>
  functionsConnection(name, { hostName: cache.hostName }, false);
