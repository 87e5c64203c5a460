import {
  ContainerGroup,
  ContainerGroupContainer,
  ContainerGroupImageRegistryCredential,
} from "@cdktf/provider-azurerm/lib/container-group";
import { IdentityConfigError } from "../core/errors";
import { resourceIdOf } from "../azure/known-values";
import { IManagedIdentity, IUserAssignedIdentity } from "../azure/identity";
import type { ContainerRegistryTarget } from "../services/container-registry";
import { containerInstances } from "../services/container-instances";
import { SingleResourceCompute } from "./attachable-compute";
import { mergeSettings, sameValue } from "./identity-block";

/** Container instances: the identity block, environment variables, and registry credentials by identity. */
export class ContainerGroupCompute extends SingleResourceCompute<ContainerGroup> {
  static of(group: ContainerGroup): ContainerGroupCompute {
    return new ContainerGroupCompute(
      group,
      resourceIdOf(group, containerInstances.resourceTypes.containerGroup.azureType, "Container group"),
    );
  }

  override attachUserAssigned(identity: IUserAssignedIdentity): void {
    super.attachUserAssigned(identity);
    this.setEnvironment({ AZURE_CLIENT_ID: identity.clientId });
  }

  readonly setEnvironment = (settings: Readonly<Record<string, string>>): void => {
    const containers = (this.resource.containerInput ?? []) as ContainerGroupContainer[];
    this.resource.putContainer(
      containers.map((c) => ({
        ...c,
        environmentVariables: mergeSettings(this.resource, c.environmentVariables, settings),
      })),
    );
  };

  /** Container groups pull through a user-assigned identity only; a system-assigned one does not exist yet at pull time. */
  pullImagesWith(identity: IManagedIdentity, registry: ContainerRegistryTarget): void {
    if (identity.kind !== "UserAssigned") {
      throw new IdentityConfigError(this.resource, {
        problem: "A container group pulls images only through a user-assigned identity",
        value: identity.node.path,
        fix: "give the workload Identity.newUserAssigned(...) or Identity.userAssigned(...) so the identity and its AcrPull exist before the group starts",
      });
    }
    const credentials = (
      (this.resource.imageRegistryCredentialInput ?? []) as ContainerGroupImageRegistryCredential[]
    ).filter((c) => !sameValue(this.resource, c.server, registry.loginServer));
    this.resource.putImageRegistryCredential([
      ...credentials,
      { server: registry.loginServer, userAssignedIdentityId: (identity as IUserAssignedIdentity).id },
    ]);
  }
}
