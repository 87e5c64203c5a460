import { Construct } from "constructs";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import {
  AppServiceCompute,
  Identity,
  Migration,
  Roles,
  StorageAccountTarget,
  WorkloadIdentity,
} from "../../constructs";
import { Workload, WorkloadContext } from "../workload";

/**
 * A web app moving off its legacy storage account's connection string (docs/migrations.md), in
 * phase `dual`: its system-assigned identity, that identity's grant and INVOICES_BLOB_ENDPOINT stand
 * beside INVOICES_STORAGE, which the code still reads. Once `npm run verify -- dev --migration` says
 * ready, the team declares phase `identity` and removes INVOICES_STORAGE; then phase `keys-off`,
 * with `sharedAccessKeyEnabled: false` and `defaultToOauthAuthentication: true` on the account.
 * Only dev lists it (`extraWorkloads`).
 */
export class Invoices extends Workload {
  readonly account: StorageAccount;
  readonly app: LinuxWebApp;
  readonly access: WorkloadIdentity;

  constructor(scope: Construct, name: string, context: WorkloadContext) {
    super(scope, name, context);
    const { env, shared } = this;
    // Made before the migration, so it still takes shared keys. Storage names take no dashes.
    this.account = new StorageAccount(this, "storage", {
      ...this.placement,
      name: `${env.namePrefix}${this.name}`.replace(/-/g, ""),
      accountTier: "Standard",
      accountReplicationType: env.storageReplication,
      sharedAccessKeyEnabled: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
    });
    this.app = new LinuxWebApp(this, "app", {
      ...this.placement,
      name: this.resourceName(),
      servicePlanId: shared.planId,
      httpsOnly: true,
      siteConfig: { applicationStack: { nodeVersion: "20-lts" }, minimumTlsVersion: "1.2", ftpsState: "Disabled" },
      appSettings: {
        INVOICES_STORAGE: this.account.primaryConnectionString,
        INVOICES_BLOB_ENDPOINT: this.account.primaryBlobEndpoint,
      },
    });
    const storage = StorageAccountTarget.of(this.account);
    this.access = this.workloadIdentity({
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxWebApp(this.app)],
      grants: [storage.allow(Roles.StorageBlobDataContributor, "writes invoice PDFs")],
      migrations: [
        Migration.offSecret({
          setting: "INVOICES_STORAGE",
          target: storage,
          phase: "dual",
          reason: "invoices moves off its account's connection string to its identity; the invoices team owns the move",
          expires: "2027-03-31",
        }),
      ],
    });
  }
}
