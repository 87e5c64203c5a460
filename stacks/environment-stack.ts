import { Construct } from "constructs";
import { AzureStack } from "./azure-stack";
import { EnvironmentSettings } from "./environment-settings";
import { SharedResources } from "./shared-resources";
import { OrdersWeb } from "./workloads/orders-web";
import { CatalogApi } from "./workloads/catalog-api";
import { Jobs } from "./workloads/jobs";
import { ReportsVm } from "./workloads/reports-vm";
import { Ingest } from "./workloads/ingest";
import { Checkout } from "./workloads/checkout";
import { PlatformAks } from "./workloads/platform-aks";

/** One environment in one stack: the shared targets and the sample workloads. The pipeline applies it. */
export class EnvironmentStack extends AzureStack {
  readonly shared: SharedResources;
  readonly ordersWeb: OrdersWeb;
  readonly catalogApi: CatalogApi;
  readonly jobs: Jobs;
  readonly reportsVm: ReportsVm;
  readonly ingest: Ingest;
  readonly checkout: Checkout;
  readonly platformAks: PlatformAks;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, settings.name, settings, settings.name);
    this.shared = new SharedResources(this, "shared", settings);
    this.ordersWeb = new OrdersWeb(this, "orders-web", settings, this.shared);
    this.catalogApi = new CatalogApi(this, "catalog-api", settings, this.shared);
    this.jobs = new Jobs(this, "jobs", settings, this.shared);
    this.reportsVm = new ReportsVm(this, "reports-vm", settings, this.shared);
    this.ingest = new Ingest(this, "ingest", settings, this.shared);
    this.checkout = new Checkout(this, "checkout", settings, this.shared);
    this.platformAks = new PlatformAks(this, "platform-aks", settings, this.shared);
  }
}
