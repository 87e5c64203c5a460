import {
  ContainerApp,
  ContainerAppRegistry,
  ContainerAppTemplateContainer,
  ContainerAppTemplateContainerEnv,
} from "@cdktf/provider-azurerm/lib/container-app";
import { IdentityConfigError } from "../core/errors";
import { resolveInStack, resourceIdOf } from "../azure/known-values";
import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import type { ContainerRegistryTarget } from "../services/container-registry";
import { containerApps } from "../services/container-apps";
import { SingleResourceCompute } from "./attachable-compute";
import { mergeSettings, sameValue } from "./identity-block";

/**
 * Container Apps: the identity block, environment variables on every container, and `registry`
 * entries that pull through the identity (a user-assigned identity's id, or `System`).
 */
export class ContainerAppCompute extends SingleResourceCompute<ContainerApp> {
  static of(app: ContainerApp): ContainerAppCompute {
    return new ContainerAppCompute(app, resourceIdOf(app, containerApps.resourceTypes.app.azureType, "Container app"));
  }

  override enableSystemAssigned(): string {
    const principalId = super.enableSystemAssigned();
    this.checkRegistries();
    return principalId;
  }

  override attachUserAssigned(identity: IUserAssignedIdentity): void {
    super.attachUserAssigned(identity);
    this.checkRegistries();
    this.setEnvironment({ AZURE_CLIENT_ID: identity.clientId });
  }

  readonly setEnvironment = (settings: Readonly<Record<string, string>>): void => {
    const template = this.resource.templateInput;
    const containers = (template?.container ?? []) as ContainerAppTemplateContainer[];
    if (!template || containers.length === 0) return;
    this.resource.putTemplate({
      ...template,
      container: containers.map((container) => {
        const env = (container.env ?? []) as ContainerAppTemplateContainerEnv[];
        // Entries that reference a secret (`secret_name`) stay as they are; plain values merge.
        const plain = Object.fromEntries(
          env.filter((e) => e.secretName === undefined).map((e) => [e.name, e.value ?? ""]),
        );
        const merged = mergeSettings(this.resource, plain, settings);
        const secrets = env.filter((e) => e.secretName !== undefined);
        for (const s of secrets) {
          if (settings[s.name] !== undefined)
            mergeSettings(this.resource, { [s.name]: `secret:${s.secretName}` }, { [s.name]: settings[s.name] });
        }
        return { ...container, env: [...secrets, ...Object.entries(merged).map(([name, value]) => ({ name, value }))] };
      }),
    });
  };

  /**
   * Pulls through a user-assigned identity only: a system-assigned one and its AcrPull cannot exist
   * before the first revision pulls, so that revision would fail.
   */
  pullImagesWith(identity: IManagedIdentity, registry: ContainerRegistryTarget): void {
    if (identity.kind !== "UserAssigned") {
      throw new IdentityConfigError(this.resource, {
        problem: "A container app's first revision cannot pull through its system-assigned identity",
        value: identity.node.path,
        fix: "give the workload Identity.newUserAssigned(...) or Identity.userAssigned(...), so the identity and its AcrPull exist before the app",
      });
    }
    const wanted = (identity as IUserAssignedIdentity).id;
    const registries = this.registries().filter((r) => !sameValue(this.resource, r.server, registry.loginServer));
    this.resource.putRegistry([...registries, { server: registry.loginServer, identity: wanted }]);
  }

  private registries(): ContainerAppRegistry[] {
    return (this.resource.registryInput ?? []) as ContainerAppRegistry[];
  }

  /** A registry entry that pulls through an identity the app does not carry fails at the first revision. */
  private checkRegistries(): void {
    const block = this.resource.identityInput;
    for (const registry of this.registries()) {
      if (registry.identity === undefined) continue;
      const attached =
        registry.identity === "System"
          ? (block?.type ?? "").includes("SystemAssigned")
          : (block?.identityIds ?? []).some((id) => sameValue(this.resource, id, registry.identity!));
      if (!attached) {
        throw new IdentityConfigError(this.resource, {
          problem: `registry ${registry.server} pulls through an identity that is not attached to the container app`,
          value: resolveInStack(this.resource, registry.identity),
          fix: "pull through the workload's own identity (grant it AcrPull and the registry entry is written for you), or attach that identity too",
        });
      }
    }
  }
}
