import { IResolvable, Token } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { LinuxWebAppSlot } from "@cdktf/provider-azurerm/lib/linux-web-app-slot";
import { WindowsWebApp } from "@cdktf/provider-azurerm/lib/windows-web-app";
import { WindowsWebAppSlot } from "@cdktf/provider-azurerm/lib/windows-web-app-slot";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import { LinuxFunctionAppSlot } from "@cdktf/provider-azurerm/lib/linux-function-app-slot";
import { WindowsFunctionApp } from "@cdktf/provider-azurerm/lib/windows-function-app";
import { WindowsFunctionAppSlot } from "@cdktf/provider-azurerm/lib/windows-function-app-slot";
import { requireAzureNames, ResourceId } from "../azure/azure-ids";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import { IdentityConfigError } from "../core/errors";
import { GrantRequest } from "../azure/grant";
import { knownName, NamedResource, resolveInStack, resourceIdOf, resourceOfIdReference } from "../azure/known-values";
import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import { Roles } from "../services";
import type { StorageAccountTarget } from "../services/storage";
import { appService } from "../services/app-service";
import { Identity, UserAssignedIdentityChoice } from "../identities/identity-choice";
import { AttachableCompute, PlatformIdentityNeed } from "./attachable-compute";
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
interface AppServiceSite extends AppServiceResource, NamedResource {
  readonly locationInput?: string;
  readonly tagsInput?: Record<string, string>;
  readonly servicePlanIdInput?: string;
}
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
  readonly servicePlanIdInput?: string;
  readonly siteConfig: { readonly alwaysOnInput?: boolean | IResolvable; alwaysOn: boolean | IResolvable };
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
  /**
   * Who the host reaches its storage as when the workload's identity is system-assigned (which
   * exists only once the app does: the host's first start would get 403 and keep failing).
   * Defaults to a new user-assigned identity `<app name>-host-id` beside the app, shared by its slots.
   */
  readonly hostIdentity?: UserAssignedIdentityChoice;
}

const SITES = appService.resourceTypes.linuxWebApp.azureType;
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

  static linuxFunctionApp(
    app: LinuxFunctionApp,
    options: FunctionAppOptions<LinuxFunctionAppSlot> = {},
  ): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? [], { containers: true, functions: functionsOf(app, options) });
  }

  static windowsFunctionApp(
    app: WindowsFunctionApp,
    options: FunctionAppOptions<WindowsFunctionAppSlot> = {},
  ): AppServiceCompute {
    return AppServiceCompute.site(app, options.slots ?? [], {
      containers: false,
      functions: functionsOf(app, options),
    });
  }

  /** A slot gets what its app gets: a function app's slots run the same host on the same storage. */
  private static site(app: AppServiceSite, slots: readonly AppServiceResource[], kind: SiteKind): AppServiceCompute {
    const id = resourceIdOf(app, SITES, "App");
    const slotComputes = slots.map(
      (slot) =>
        new AppServiceCompute(
          slot,
          requireAzureNames(slot, id.child("slots", knownName(slot, slot.nameInput ?? ""))),
          [],
          kind,
        ),
    );
    return new AppServiceCompute(app, id, slotComputes, kind);
  }

  readonly platformGrants: readonly GrantRequest[];
  readonly platformIdentity?: PlatformIdentityNeed;
  /** The plan's kind, for a function app: a Dedicated plan idles the host unless `always_on` is set. */
  private readonly plan?: PlanKind;

  private constructor(
    readonly resource: AppServiceResource,
    readonly resourceId: ResourceId,
    readonly slots: readonly AppServiceCompute[],
    private readonly kind: SiteKind,
  ) {
    const functions = kind.functions;
    const storage = functions?.hostStorage;
    this.platformGrants = storage
      ? [
          storage.allow(Roles.StorageBlobDataOwner, "Functions host storage: keys, timers and singleton leases", {
            justification:
              "the Functions host creates its own containers and takes blob leases; no narrower built-in role allows that",
          }),
        ]
      : [];
    if (!functions) return;
    const host = resource as FunctionHost;
    if (storage) {
      if (host.storageAccountAccessKeyInput !== undefined) {
        throw new IdentityConfigError(resource, {
          problem: "Function app host storage is reached through the identity, but an account key is set too",
          value: "storage_account_access_key",
          fix: "remove storage_account_access_key; the host connects with storage_uses_managed_identity",
        });
      }
      host.storageAccountName = storage.resourceId.name;
      host.storageUsesManagedIdentity = true;
      this.platformIdentity = {
        key: functions,
        choice: functions.hostIdentity,
        use: (identity) => this.useHostIdentity(identity),
      };
    }
    this.plan = planKind(resource, host.servicePlanIdInput ?? functions.planId);
    // Microsoft: on an App Service plan, Always On keeps the host running; without it only HTTP wakes it.
    if (this.plan.kind === "dedicated" && host.siteConfig.alwaysOnInput === undefined) host.siteConfig.alwaysOn = true;
  }

  /** A trigger's connection is read by a host that must be running: on a Dedicated plan, `always_on`. */
  readonly acceptConnections = (names: readonly string[]): void => {
    if (!this.plan || names.length === 0) return;
    const alwaysOn = (this.resource as FunctionHost).siteConfig.alwaysOnInput;
    if (this.plan.kind === "dedicated" && alwaysOn === false) {
      throw new IdentityConfigError(this.resource, {
        problem: `The function app runs on a Dedicated plan (${this.plan.sku}) with always_on = false, so the host idles and triggers on ${names.join(", ")} never fire`,
        value: { always_on: false, sku: this.plan.sku },
        fix: "remove always_on = false (the construct sets it true), or move the app to a Consumption, Flex or Elastic Premium plan, which wakes it for its triggers",
      });
    }
    if (this.plan.kind === "unknown" && alwaysOn === undefined) {
      throw new IdentityConfigError(this.resource, {
        problem: `The function app's plan cannot be told apart as Dedicated or scaling (${this.plan.sku}), so whether its triggers on ${names.join(", ")} fire depends on always_on, which is unset`,
        value: this.plan.sku,
        fix: "set site_config.always_on: true on a Dedicated (App Service) plan, false on Consumption, Flex or Elastic Premium",
      });
    }
  };

  /** The host reaches its storage as this identity: attached beside the app's own. */
  private useHostIdentity(identity: IUserAssignedIdentity): void {
    mergeIdentity(this.resource, false, [identity.id]);
    this.setEnvironment({
      [`${HOST_STORAGE}__credential`]: "managedidentity",
      [`${HOST_STORAGE}__clientId`]: identity.clientId,
    });
  }

  enableSystemAssigned(): string {
    mergeIdentity(this.resource, true, []);
    return this.resource.identity.principalId;
  }

  attachUserAssigned(identity: IUserAssignedIdentity): void {
    mergeIdentity(this.resource, false, [identity.id]);
    // The host reaches its storage as the system-assigned identity unless told which one to use.
    const hostStorage: Record<string, string> = this.kind.functions?.hostStorage
      ? { [`${HOST_STORAGE}__credential`]: "managedidentity", [`${HOST_STORAGE}__clientId`]: identity.clientId }
      : {};
    this.setEnvironment({ AZURE_CLIENT_ID: identity.clientId, ...hostStorage });
    const current = this.resource.keyVaultReferenceIdentityIdInput;
    const reference = { key_vault_reference_identity_id: identity.id };
    this.resource.keyVaultReferenceIdentityId = mergeSettings(
      this.resource,
      current === undefined ? {} : { key_vault_reference_identity_id: current },
      reference,
    ).key_vault_reference_identity_id;
  }

  readonly hasSetting = (name: string): boolean => Object.hasOwn(this.resource.appSettingsInput ?? {}, name);

  readonly setEnvironment = (settings: Readonly<Record<string, string>>): void => {
    this.resource.appSettings = mergeSettings(this.resource, this.resource.appSettingsInput, settings);
  };

  pullImagesWith(identity: IManagedIdentity): void {
    if (!this.kind.containers) {
      throw new IdentityConfigError(this.resource, {
        problem: "Windows function apps run no containers, so they pull no images",
        value: Roles.AcrPull.name,
        fix: "grant AcrPull only to computes that pull images",
      });
    }
    const { siteConfig } = this.resource as AppServiceResource & ContainerSiteConfig;
    siteConfig.containerRegistryUseManagedIdentity = true;
    if (identity.kind === "UserAssigned")
      siteConfig.containerRegistryManagedIdentityClientId = (identity as IUserAssignedIdentity).clientId;
  }
}

interface SiteKind {
  readonly containers: boolean;
  /** Function apps and their slots: one object for an app and its slots, the key of their host identity. */
  readonly functions?: FunctionsKind;
}

interface FunctionsKind {
  readonly hostStorage?: StorageAccountTarget;
  readonly hostIdentity: UserAssignedIdentityChoice;
  /** The app's plan, which its slots run on unless they name their own. */
  readonly planId?: string;
}

function functionsOf(app: AppServiceSite, options: FunctionAppOptions<unknown>): FunctionsKind {
  const hostIdentity =
    options.hostIdentity ??
    Identity.newUserAssigned({
      name: `${resourceIdOf(app, SITES, "Function app").name}-host-id`,
      resourceGroupName: app.resourceGroupNameInput ?? "",
      location: app.locationInput ?? "",
      tags: app.tagsInput === undefined ? undefined : { ...app.tagsInput },
    });
  return { hostStorage: options.hostStorage, hostIdentity, planId: app.servicePlanIdInput };
}

/** Where the platform wakes a function app for its triggers, and where only Always On keeps it running. */
const SCALING_SKUS = /^(Y1|FC1|EP[1-3]|WS[1-3])$/i;
const DEDICATED_SKUS = /^(B[1-3]|S[1-3]|P[1-3]|P[0-5]m?v[2-4]|I[1-3]|I[1-6]m?v2)$/i;

interface PlanKind {
  readonly kind: "dedicated" | "scaling" | "unknown";
  readonly sku: string;
}

/** The plan's kind, from the SKU of a plan of this stack; any other plan is `unknown`. */
function planKind(where: AppServiceResource, planId: string | undefined): PlanKind {
  const plan = planId === undefined ? undefined : resourceOfIdReference(where, planId);
  const sku = plan instanceof ServicePlan ? plan.skuNameInput : undefined;
  if (sku === undefined || Token.isUnresolved(sku))
    return { kind: "unknown", sku: `plan ${planId === undefined ? "unset" : resolveInStack(where, planId)}` };
  return { kind: SCALING_SKUS.test(sku) ? "scaling" : DEDICATED_SKUS.test(sku) ? "dedicated" : "unknown", sku };
}
