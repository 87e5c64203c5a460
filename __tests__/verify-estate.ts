import { App, TerraformStack } from "cdktf";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import {
  AppServiceCompute,
  configureIdentityStack,
  GrantRequest,
  Identity,
  KeyVaultTarget,
  Roles,
  StorageAccountTarget,
  WorkloadIdentity,
} from "../constructs";
import { inRg, SUBSCRIPTION, TENANT, vaultId } from "./helpers";

export const ACCOUNT = `/subscriptions/${SUBSCRIPTION}/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/acct`;

/** What a test adds to the estate before it is synthesized. */
export interface EstateParts {
  readonly stack: TerraformStack;
  readonly account: StorageAccountTarget;
  /** A web app of the estate, by name. */
  web(name: string): LinuxWebApp;
}

export interface VerifyEstateOptions {
  /** The workspace the targets log to, when audit logging is on. */
  readonly workspaceId?: string;
  /** The workspace that receives the tenant's managed-identity sign-ins, when one does. */
  readonly signInWorkspaceId?: string;
  /** Grants of the docs identity besides reading the docs container. */
  readonly docsGrants?: (stack: TerraformStack) => readonly GrantRequest[];
  readonly extra?: (parts: EstateParts) => void;
}

/**
 * The `dev` stack verify reads, synthesized as `npm run synth` writes it into `outdir`: orders
 * (system-assigned, reads a vault) and docs (user-assigned, reads container docs), and whatever
 * the test adds.
 */
export function synthesizeVerifyEstate(outdir: string, options: VerifyEstateOptions = {}): string {
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, "dev");
  new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
  configureIdentityStack(stack, {
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
    guardrails: { severity: "warning" },
    ...(options.workspaceId
      ? { auditLogs: { workspaceId: options.workspaceId, signInWorkspaceId: options.signInWorkspaceId } }
      : {}),
  });
  const account = StorageAccountTarget.fromId(stack, ACCOUNT);
  const web = (name: string) =>
    new LinuxWebApp(stack, `${name}-app`, { ...inRg, name, servicePlanId: "/plan", siteConfig: {} });
  new WorkloadIdentity(stack, "orders", {
    identity: Identity.systemAssigned(),
    compute: [AppServiceCompute.linuxWebApp(web("orders"))],
    grants: [KeyVaultTarget.fromId(stack, vaultId()).allow(Roles.KeyVaultSecretsUser, "reads secrets")],
  });
  new WorkloadIdentity(stack, "docs", {
    identity: Identity.newUserAssigned({ ...inRg, name: "docs-id" }),
    compute: [AppServiceCompute.linuxWebApp(web("docs"))],
    grants: [
      account.container("docs").allow(Roles.StorageBlobDataReader, "reads documents"),
      ...(options.docsGrants?.(stack) ?? []),
    ],
  });
  options.extra?.({ stack, account, web });
  app.synth();
  return outdir;
}
