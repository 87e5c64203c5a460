import { IResolvable } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { WindowsWebApp } from "@cdktf/provider-azurerm/lib/windows-web-app";
import { WindowsWebAppSlot } from "@cdktf/provider-azurerm/lib/windows-web-app-slot";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import { LinuxFunctionAppSlot } from "@cdktf/provider-azurerm/lib/linux-function-app-slot";
import { WindowsFunctionApp } from "@cdktf/provider-azurerm/lib/windows-function-app";
import { WindowsFunctionAppSlot } from "@cdktf/provider-azurerm/lib/windows-function-app-slot";
import { ResourceId } from "../azure-ids";
import { IdentityConfigError } from "../errors";
import { GrantSpec } from "../grant";
import { NamedResource, resourceIdOf } from "../known-values";
import { IManagedIdentity, IUserAssignedIdentity } from "../identity";
import { Roles } from "../role-catalog";
import type { StorageAccountTarget } from "../targets";
import { AttachableCompute } from "./attachable-compute";
import { HasIdentityBlock, mergeIdentity, mergeSettings } from "./identity-block";

/** What web apps, function apps and their slots share, across the azurerm resource classes. */
interface AppServiceResource extends HasIdentityBlock {
  readonly nameInput?: string;
  readonly identity: { readonly principalId: string };
  readonly appSettingsInput?: Record<string, string>;
  appSettings: Record<string, string>;
  readonly keyVaultReferenceIdentityIdInput?: string;
  keyVaultReferenceIdentityId: string;
}
interface AppServiceSite extends AppServiceResource, NamedResource {}
/** Sites that can run a container, whose site config selects the identity that pulls it. */
interface ContainerSiteConfig {
  readonly siteConfig: {
    containerRegistryUseManagedIdentity: boolean | IResolvable;
    containerRegistryManagedIdentityClientId: string;
  };
}
interface FunctionHost extends AppServiceResource {
  readonly storageAccountAccessKeyInput?: string;
  storageAccountName: string;
  storageUsesManagedIdentity: boolean | IResolvable;
}

export interface FunctionAppOptions<Slot> {
  readonly slots?: readonly Slot[];
  /**
   * The function host's own storage account, reached through the identity instead of an account
   * key: `storage_uses_managed_identity` (the provider then writes `AzureWebJobsStorage__accountName`)
   * and Storage Blob Data Owner on that account, which the host needs to create containers and
   * hold blob leases. Extensions that keep state there (blob triggers, Durable Functions) need
   * their own grants on it as well.
   */
  readonly hostStorage?: StorageAccountTarget;
}

const SITES = "Microsoft.Web/sites";
const HOST_STORAGE = "AzureWebJobsStorage";

/**
 * App Service compute: web apps, function apps and their deployment slots, Linux and Windows.
 * Slots do not inherit the app's identity or grants, so a slot listed here gets the same identity
 * (user-assigned) or its own identity with the same grants (system-assigned).
 */
export class AppServiceCompute implements AttachableCompute {
  static linuxWebApp(app: LinuxWebApp, options: { slots?: readonly LinuxWebAppSlot[] } = {}): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? [], { containers: true });
  }

  static windowsWebApp(app: WindowsWebApp, options: { slots?: readonly WindowsWebAppSlot[] } = {}): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? [], { containers: true });
  }

  static linuxFunctionApp(app: LinuxFunctionApp, options: FunctionAppOptions<LinuxFunctionAppSlot> = {}): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? [], { containers: true, hostStorage: options.hostStorage, functions: true });
  }

  static windowsFunctionApp(app: WindowsFunctionApp, options: FunctionAppOptions<WindowsFunctionAppSlot> = {}): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? [], { containers: false, hostStorage: options.hostStorage, functions: true });
  }

  /** A slot gets what its app gets: a function app's slots run the same host on the same storage. */
  private static site(app: AppServiceSite, slots: readonly AppServiceResource[], kind: SiteKind): AppServiceCompute {
    const id = resourceIdOf(app, SITES, "App");
    const slotComputes = slots.map((slot) => new AppServiceCompute(slot, id.child("slots", slot.nameInput ?? ""), [], kind));
    return new AppServiceCompute(app, id, slotComputes, kind);
  }

  readonly platformGrants: readonly GrantSpec[];

  private constructor(
    readonly resource: AppServiceResource,
    readonly resourceId: ResourceId,
    readonly slots: readonly AppServiceCompute[],
    private readonly kind: SiteKind,
  ) {
    const storage = kind.hostStorage;
    this.platformGrants = storage
      ? [
          storage.allow(Roles.StorageBlobDataOwner, "Functions host storage: keys, timers and singleton leases", {
            justification: "the Functions host creates its own containers and takes blob leases; no narrower built-in role allows that",
          }),
        ]
      : [];
    if (storage && kind.functions) {
      const host = resource as FunctionHost;
      if (host.storageAccountAccessKeyInput !== undefined) {
        throw new IdentityConfigError(resource, {
          problem: "Function app host storage is reached through the identity, but an account key is set too",
          value: "storage_account_access_key",
          fix: "remove storage_account_access_key; the host connects with storage_uses_managed_identity",
        });
      }
      host.storageAccountName = storage.resourceId.name;
      host.storageUsesManagedIdentity = true;
    }
  }

  enableSystemAssigned(): string {
    mergeIdentity(this.resource, true, []);
    return this.resource.identity.principalId;
  }

  attachUserAssigned(identity: IUserAssignedIdentity): void {
    mergeIdentity(this.resource, false, [identity.id]);
    // The host reaches its storage as the system-assigned identity unless told which one to use.
    const hostStorage: Record<string, string> = this.kind.hostStorage
      ? { [`${HOST_STORAGE}__credential`]: "managedidentity", [`${HOST_STORAGE}__clientId`]: identity.clientId }
      : {};
    this.setEnvironment({ AZURE_CLIENT_ID: identity.clientId, ...hostStorage });
    const current = this.resource.keyVaultReferenceIdentityIdInput;
    const reference = { key_vault_reference_identity_id: identity.id };
    this.resource.keyVaultReferenceIdentityId = mergeSettings(this.resource, current === undefined ? {} : { key_vault_reference_identity_id: current }, reference).key_vault_reference_identity_id;
  }

  readonly setEnvironment = (settings: Readonly<Record<string, string>>): void => {
    this.resource.appSettings = mergeSettings(this.resource, this.resource.appSettingsInput, settings);
  };

  pullImagesWith(identity: IManagedIdentity): void {
    if (!this.kind.containers) {
      throw new IdentityConfigError(this.resource, {
        problem: "Windows function apps run no containers, so they pull no images",
        value: "AcrPull",
        fix: "grant AcrPull only to computes that pull images",
      });
    }
    const { siteConfig } = this.resource as AppServiceResource & ContainerSiteConfig;
    siteConfig.containerRegistryUseManagedIdentity = true;
    if (identity.kind === "UserAssigned") siteConfig.containerRegistryManagedIdentityClientId = (identity as IUserAssignedIdentity).clientId;
  }
}

interface SiteKind {
  readonly containers: boolean;
  readonly hostStorage?: StorageAccountTarget;
  /** Function apps and their slots, whose host storage can go through the identity. */
  readonly functions?: boolean;
}
