import { IResolvable } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import { IConstruct } from "constructs";
import { ResourceId } from "../azure-ids";
import { AzureContext } from "../azure-context";
import { IdentityConfigError } from "../errors";
import { knownName } from "../known-values";
import { IManagedIdentity, IUserAssignedIdentity } from "../identity";
import { AttachableCompute } from "./attachable-compute";

interface IdentityBlock {
  type: string;
  identityIds?: string[];
}

/** What web apps, function apps and their slots share, across the azurerm resource classes. */
interface AppServiceResource extends IConstruct {
  readonly nameInput?: string;
  readonly resourceGroupNameInput?: string;
  readonly identityInput?: IdentityBlock;
  readonly identity: { readonly principalId: string };
  putIdentity(value: IdentityBlock): void;
  readonly appSettingsInput?: Record<string, string>;
  appSettings: Record<string, string>;
  readonly keyVaultReferenceIdentityIdInput?: string;
  keyVaultReferenceIdentityId: string;
  readonly siteConfig: {
    containerRegistryUseManagedIdentity: boolean | IResolvable;
    containerRegistryManagedIdentityClientId: string;
  };
}

const SITES = "Microsoft.Web/sites";

/**
 * App Service compute: web apps, function apps and their deployment slots. Slots do not inherit
 * the app's identity or grants, so a slot listed here gets the same identity (user-assigned) or
 * its own identity with the same grants (system-assigned).
 */
export class AppServiceCompute implements AttachableCompute {
  static linuxWebApp(app: LinuxWebApp, options: { slots?: readonly LinuxWebAppSlot[] } = {}): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? []);
  }

  static linuxFunctionApp(app: LinuxFunctionApp): AppServiceCompute {
    return AppServiceCompute.site(app, []);
  }

  private static site(app: AppServiceResource, slots: readonly AppServiceResource[]): AppServiceCompute {
    const name = app.nameInput;
    const resourceGroup = app.resourceGroupNameInput === undefined ? undefined : knownName(app, app.resourceGroupNameInput);
    if (name === undefined || resourceGroup === undefined) {
      throw new IdentityConfigError(app, {
        problem: "App has no name or resource group set, so its id cannot be known before apply",
        value: { name, resourceGroup },
        fix: "set name and resource_group_name on the app",
      });
    }
    const id = ResourceId.fromNames(app, { subscriptionId: AzureContext.of(app).subscriptionId, resourceGroup, type: SITES, name });
    const slotComputes = slots.map((slot) => new AppServiceCompute(slot, id.child("slots", slot.nameInput ?? ""), []));
    return new AppServiceCompute(app, id, slotComputes);
  }

  private constructor(
    readonly resource: AppServiceResource,
    readonly resourceId: ResourceId,
    readonly slots: readonly AppServiceCompute[],
  ) {}

  enableSystemAssigned(): string {
    this.mergeIdentity(true, []);
    return this.resource.identity.principalId;
  }

  attachUserAssigned(identity: IUserAssignedIdentity): void {
    this.mergeIdentity(false, [identity.id]);
    this.setOnce("app setting AZURE_CLIENT_ID", this.resource.appSettingsInput?.AZURE_CLIENT_ID, identity.clientId, () => {
      this.resource.appSettings = { ...(this.resource.appSettingsInput ?? {}), AZURE_CLIENT_ID: identity.clientId };
    });
    this.setOnce("key_vault_reference_identity_id", this.resource.keyVaultReferenceIdentityIdInput, identity.id, () => {
      this.resource.keyVaultReferenceIdentityId = identity.id;
    });
  }

  pullImagesWith(identity: IManagedIdentity): void {
    this.resource.siteConfig.containerRegistryUseManagedIdentity = true;
    if (identity.kind === "UserAssigned") {
      this.resource.siteConfig.containerRegistryManagedIdentityClientId = (identity as IUserAssignedIdentity).clientId;
    }
  }

  /** Keeps identities the resource already has: `SystemAssigned, UserAssigned` when both are on. */
  private mergeIdentity(systemAssigned: boolean, identityIds: readonly string[]): void {
    const current = this.resource.identityInput;
    const hasSystem = systemAssigned || (current?.type ?? "").includes("SystemAssigned");
    const ids = [...new Set([...(current?.identityIds ?? []), ...identityIds])];
    const type = [hasSystem ? "SystemAssigned" : "", ids.length > 0 ? "UserAssigned" : ""].filter(Boolean).join(", ");
    this.resource.putIdentity(ids.length > 0 ? { type, identityIds: ids } : { type });
  }

  /** One user-assigned identity can be the app's default; a second one would silently lose. */
  private setOnce(setting: string, current: string | undefined, wanted: string, apply: () => void): void {
    if (current !== undefined && current !== wanted) {
      throw new IdentityConfigError(this.resource, {
        problem: `${setting} already selects another identity`,
        value: current,
        fix: "attach one user-assigned identity per app as its default, and share it between workloads that need the same access",
      });
    }
    apply();
  }
}
