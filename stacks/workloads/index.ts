import { WorkloadClass } from "../workload";
import { Aks } from "./aks";
import { CatalogApi } from "./catalog-api";
import { Checkout } from "./checkout";
import { Ingest } from "./ingest";
import { Invoices } from "./invoices";
import { Jobs } from "./jobs";
import { LoadGenerator } from "./load-generator";
import { OrdersWeb } from "./orders-web";
import { ReportsVm } from "./reports-vm";

/** Every environment runs these, by name: the name is the workload's construct id. */
export const WORKLOADS: Readonly<Record<string, WorkloadClass>> = {
  "orders-web": OrdersWeb,
  "catalog-api": CatalogApi,
  jobs: Jobs,
  "reports-vm": ReportsVm,
  ingest: Ingest,
  checkout: Checkout,
  aks: Aks,
};

/** These run only in the environments whose settings list them in `extraWorkloads`. */
export const OPTIONAL_WORKLOADS: Readonly<Record<string, WorkloadClass>> = {
  "load-generator": LoadGenerator,
  invoices: Invoices,
};
