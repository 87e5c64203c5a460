import { TerraformStack } from "cdktf";
import { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine";
import { LinuxVirtualMachineScaleSet } from "@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set";
import { ContainerApp } from "@cdktf/provider-azurerm/lib/container-app";
import { ContainerGroup } from "@cdktf/provider-azurerm/lib/container-group";
import { WindowsWebApp } from "@cdktf/provider-azurerm/lib/windows-web-app";
import { WindowsWebAppSlot } from "@cdktf/provider-azurerm/lib/windows-web-app-slot";
import { WindowsFunctionApp } from "@cdktf/provider-azurerm/lib/windows-function-app";
import { LinuxFunctionApp } from "@cdktf/provider-azurerm/lib/linux-function-app";
import { LinuxFunctionAppSlot } from "@cdktf/provider-azurerm/lib/linux-function-app-slot";
import { ServicePlan } from "@cdktf/provider-azurerm/lib/service-plan";
import {
  AppServiceCompute,
  Connections,
  ContainerAppCompute,
  ContainerGroupCompute,
  ContainerRegistryTarget,
  Identity,
  Roles,
  ServiceBusNamespaceTarget,
  StorageAccountTarget,
  UserAssignedIdentity,
  VirtualMachineCompute,
  WorkloadIdentity,
} from "../constructs";
import { roleAssignmentName } from "../constructs/core";
import { resolveInStack } from "../constructs/azure";
import { only, registryId, resourcesOf, SUBSCRIPTION, testStack, inRg } from "./helpers";

const id = (type: string, name: string) =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/${type}/${name}`;
const bus = (stack: TerraformStack) =>
  ServiceBusNamespaceTarget.fromId(stack, id("Microsoft.ServiceBus/namespaces", "orders-bus"));
const registry = (stack: TerraformStack) => ContainerRegistryTarget.fromId(stack, registryId());
const newIdentity = (name = "app-id") => Identity.newUserAssigned({ name, ...inRg });

const linuxVm = (stack: TerraformStack) =>
  new LinuxVirtualMachine(stack, "vm", {
    ...inRg,
    name: "reports",
    size: "Standard_B2s",
    networkInterfaceIds: ["/nic"],
    osDisk: { caching: "ReadWrite" },
  });
const containerApp = (stack: TerraformStack, extra: Partial<ConstructorParameters<typeof ContainerApp>[2]> = {}) =>
  new ContainerApp(stack, "app", {
    name: "checkout",
    resourceGroupName: "app-rg",
    containerAppEnvironmentId: "/env",
    revisionMode: "Single",
    template: { container: [{ name: "web", image: "platformacr.azurecr.io/web:1", cpu: 0.5, memory: "1Gi" }] },
    ...extra,
  });
const containerGroup = (stack: TerraformStack) =>
  new ContainerGroup(stack, "group", {
    ...inRg,
    name: "batch",
    osType: "Linux",
    container: [
      {
        name: "job",
        image: "platformacr.azurecr.io/job:1",
        cpu: 1,
        memory: 1,
        environmentVariables: { MODE: "batch" },
      },
    ],
  });

describe("virtual machines and scale sets", () => {
  it("gives a VM its system-assigned identity, named from the VM's id", () => {
    const stack = testStack();
    new WorkloadIdentity(stack, "reports", {
      identity: Identity.systemAssigned(),
      compute: [VirtualMachineCompute.of(linuxVm(stack))],
      grants: [
        StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "acct"))
          .container("reports")
          .allow(Roles.StorageBlobDataReader, "reads reports"),
      ],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_virtual_machine")).identity).toEqual({ type: "SystemAssigned" });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.principal_id).toBe("${azurerm_linux_virtual_machine.vm.identity[0].principal_id}");
    expect(assignment.name).toBe(
      roleAssignmentName(
        `${id("Microsoft.Storage/storageAccounts", "acct")}/blobServices/default/containers/reports`,
        Roles.StorageBlobDataReader.guid,
        id("Microsoft.Compute/virtualMachines", "reports"),
      ),
    );
  });

  it("shares one user-assigned identity across a scale set's instances", () => {
    const stack = testStack();
    const scaleSet = new LinuxVirtualMachineScaleSet(stack, "vmss", {
      ...inRg,
      name: "workers",
      sku: "Standard_B2s",
      adminUsername: "platform",
      networkInterface: [{ name: "nic", ipConfiguration: [{ name: "ip" }] }],
      osDisk: { caching: "ReadWrite", storageAccountType: "StandardSSD_LRS" },
    });
    const access = new WorkloadIdentity(stack, "jobs", {
      identity: newIdentity("jobs-id"),
      compute: [VirtualMachineCompute.scaleSet(scaleSet)],
      grants: [
        StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "acct"))
          .queue("jobs")
          .allow(Roles.StorageQueueDataMessageProcessor, "works jobs"),
      ],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_virtual_machine_scale_set")).identity).toEqual({
      type: "UserAssigned",
      identity_ids: [resolveInStack(stack, access.userAssigned!.id)],
    });
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).principal_id).toBe(
      resolveInStack(stack, access.userAssigned!.principalId),
    );
  });

  it("refuses identity-based connections on a VM, which has no app settings to carry them", () => {
    const stack = testStack();
    expect(
      () =>
        new WorkloadIdentity(stack, "reports", {
          identity: Identity.systemAssigned(),
          compute: [VirtualMachineCompute.of(linuxVm(stack))],
          connections: [Connections.serviceBus("Bus", bus(stack))],
          grants: [],
        }),
    ).toThrow(/^\[test\/vm\] This compute has no app settings to carry identity-based connections: \["Bus"\]\. Fix: /);
  });
});

describe("Container Apps", () => {
  it("attaches the identity, pulls through it, and sets AZURE_CLIENT_ID and connections on every container", () => {
    const stack = testStack();
    const access = new WorkloadIdentity(stack, "checkout", {
      identity: newIdentity("checkout-id"),
      compute: [ContainerAppCompute.of(containerApp(stack))],
      connections: [Connections.serviceBus("ORDERS", bus(stack))],
      grants: [
        registry(stack).allow(Roles.AcrPull, "pulls its image"),
        bus(stack).queue("orders").allow(Roles.ServiceBusDataSender, "sends orders"),
      ],
    });
    const ref = (value: string) => resolveInStack(stack, value);
    const app = only(resourcesOf(stack, "azurerm_container_app"));
    expect(app.identity).toEqual({ type: "UserAssigned", identity_ids: [ref(access.userAssigned!.id)] });
    expect(app.registry).toEqual([{ server: "platformacr.azurecr.io", identity: ref(access.userAssigned!.id) }]);
    expect(app.template.container[0].env).toEqual([
      { name: "AZURE_CLIENT_ID", value: ref(access.userAssigned!.clientId) },
      { name: "ORDERS__fullyQualifiedNamespace", value: "orders-bus.servicebus.windows.net" },
      { name: "ORDERS__credential", value: "managedidentity" },
      { name: "ORDERS__clientId", value: ref(access.userAssigned!.clientId) },
    ]);
    expect(Object.keys(resourcesOf(stack, "azurerm_role_assignment"))).toHaveLength(2);
  });

  it("refuses to pull through a system-assigned identity, which cannot hold AcrPull before the first revision", () => {
    const stack = testStack();
    expect(
      () =>
        new WorkloadIdentity(stack, "checkout", {
          identity: Identity.systemAssigned(),
          compute: [ContainerAppCompute.of(containerApp(stack))],
          grants: [registry(stack).allow(Roles.AcrPull, "pulls its image")],
        }),
    ).toThrow(
      /^\[test\/app\] A container app's first revision cannot pull through its system-assigned identity: "test\/checkout\/system-identity-app"\. Fix: /,
    );
  });

  it("creates the app after its identity's AcrPull, so the first pull succeeds", () => {
    const stack = testStack();
    const access = new WorkloadIdentity(stack, "checkout", {
      identity: newIdentity("checkout-id"),
      compute: [ContainerAppCompute.of(containerApp(stack))],
      grants: [registry(stack).allow(Roles.AcrPull, "pulls its image")],
    });
    expect(access.grants.map((g) => g.role)).toEqual([Roles.AcrPull]);
    expect(only(resourcesOf(stack, "azurerm_container_app")).depends_on).toEqual([
      expect.stringMatching(/^azurerm_role_assignment\.checkout_identity_acrpull-on-platformacr_[0-9A-F]{8}$/),
    ]);
  });

  it("keeps environment entries that reference secrets while adding its own", () => {
    const stack = testStack();
    const app = containerApp(stack, {
      template: {
        container: [
          {
            name: "web",
            image: "platformacr.azurecr.io/web:1",
            cpu: 0.5,
            memory: "1Gi",
            env: [{ name: "LICENSE", secretName: "license-key" }],
          },
        ],
      },
    });
    const access = new WorkloadIdentity(stack, "checkout", {
      identity: newIdentity("checkout-id"),
      compute: [ContainerAppCompute.of(app)],
      grants: [],
    });
    expect(only(resourcesOf(stack, "azurerm_container_app")).template.container[0].env).toEqual([
      { name: "LICENSE", secret_name: "license-key" },
      { name: "AZURE_CLIENT_ID", value: resolveInStack(stack, access.userAssigned!.clientId) },
    ]);
  });

  it("refuses a registry pull through an identity that is not attached", () => {
    const stack = testStack();
    const other = new UserAssignedIdentity(stack, "other", { name: "other-id", ...inRg });
    const app = containerApp(stack, { registry: [{ server: "platformacr.azurecr.io", identity: other.id }] });
    expect(
      () =>
        new WorkloadIdentity(stack, "checkout", {
          identity: newIdentity(),
          compute: [ContainerAppCompute.of(app)],
          grants: [],
        }),
    ).toThrow(
      /^\[test\/app\] registry platformacr\.azurecr\.io pulls through an identity that is not attached to the container app: "\$\{azurerm_user_assigned_identity\.other_identity_[0-9A-F]+\.id\}"\. Fix: /,
    );
  });
});

describe("container groups", () => {
  it("attaches a user-assigned identity, pulls through it, and adds AZURE_CLIENT_ID to each container", () => {
    const stack = testStack();
    const access = new WorkloadIdentity(stack, "batch", {
      identity: newIdentity("batch-id"),
      compute: [ContainerGroupCompute.of(containerGroup(stack))],
      grants: [registry(stack).allow(Roles.AcrPull, "pulls its image")],
    });
    const group = only(resourcesOf(stack, "azurerm_container_group"));
    const ref = (value: string) => resolveInStack(stack, value);
    expect(group.identity).toEqual({ type: "UserAssigned", identity_ids: [ref(access.userAssigned!.id)] });
    expect(group.image_registry_credential).toEqual([
      { server: "platformacr.azurecr.io", user_assigned_identity_id: ref(access.userAssigned!.id) },
    ]);
    expect(group.container[0].environment_variables).toEqual({
      MODE: "batch",
      AZURE_CLIENT_ID: ref(access.userAssigned!.clientId),
    });
  });

  it("refuses a registry pull through a system-assigned identity", () => {
    const stack = testStack();
    expect(
      () =>
        new WorkloadIdentity(stack, "batch", {
          identity: Identity.systemAssigned(),
          compute: [ContainerGroupCompute.of(containerGroup(stack))],
          grants: [registry(stack).allow(Roles.AcrPull, "pulls its image")],
        }),
    ).toThrow(
      /^\[test\/group\] A container group pulls images only through a user-assigned identity: "test\/batch\/system-identity-group"\. Fix: /,
    );
  });
});

describe("Windows App Service and function host storage", () => {
  it("attaches to a Windows web app and its slot like the Linux ones", () => {
    const stack = testStack();
    const app = new WindowsWebApp(stack, "app", { ...inRg, name: "legacy", servicePlanId: "/plan", siteConfig: {} });
    const slot = new WindowsWebAppSlot(stack, "slot", { name: "staging", appServiceId: app.id, siteConfig: {} });
    const access = new WorkloadIdentity(stack, "legacy", {
      identity: newIdentity(),
      compute: [AppServiceCompute.windowsWebApp(app, { slots: [slot] })],
      grants: [],
    });
    for (const site of [
      only(resourcesOf(stack, "azurerm_windows_web_app")),
      only(resourcesOf(stack, "azurerm_windows_web_app_slot")),
    ]) {
      expect(site.app_settings.AZURE_CLIENT_ID).toBe(resolveInStack(stack, access.userAssigned!.clientId));
      expect(site.key_vault_reference_identity_id).toBe(resolveInStack(stack, access.userAssigned!.id));
    }
  });

  it("connects a system-assigned function app's host to its storage through a user-assigned host identity, granted before the app", () => {
    const stack = testStack();
    const plan = new ServicePlan(stack, "plan", { ...inRg, name: "plan", osType: "Linux", skuName: "S1" });
    const fn = new LinuxFunctionApp(stack, "fn", { ...inRg, name: "ingest", servicePlanId: plan.id, siteConfig: {} });
    const hostStorage = StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "ingesthost"));
    const access = new WorkloadIdentity(stack, "ingest", {
      identity: Identity.systemAssigned(),
      compute: [AppServiceCompute.linuxFunctionApp(fn, { hostStorage })],
      connections: [Connections.serviceBus("ServiceBusConnection", bus(stack))],
      grants: [bus(stack).queue("ingest").allow(Roles.ServiceBusDataReceiver, "trigger receives")],
    });
    const host = only(resourcesOf(stack, "azurerm_user_assigned_identity"));
    expect(host).toMatchObject({ name: "ingest-host-id", resource_group_name: "app-rg", location: "westeurope" });
    const hostRef = (attribute: string) =>
      `\${azurerm_user_assigned_identity.ingest_platform-identity-fn_identity_${/_([0-9A-F]+)$/.exec(Object.keys(resourcesOf(stack, "azurerm_user_assigned_identity"))[0])![1]}.${attribute}}`;
    const app = only(resourcesOf(stack, "azurerm_linux_function_app"));
    expect(app).toMatchObject({
      storage_account_name: "ingesthost",
      storage_uses_managed_identity: true,
      identity: { type: "SystemAssigned, UserAssigned", identity_ids: [hostRef("id")] },
      site_config: { always_on: true },
    });
    // The trigger still runs as the app's own identity: no AZURE_CLIENT_ID, no clientId on the connection.
    expect(app.app_settings).toEqual({
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: hostRef("client_id"),
      ServiceBusConnection__fullyQualifiedNamespace: "orders-bus.servicebus.windows.net",
    });
    const assignments = Object.entries(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignments.map(([, a]) => [a.role_definition_id.split("/").pop(), a.scope, a.principal_id]).sort()).toEqual(
      [
        [
          Roles.StorageBlobDataOwner.guid,
          id("Microsoft.Storage/storageAccounts", "ingesthost"),
          hostRef("principal_id"),
        ],
        [
          Roles.ServiceBusDataReceiver.guid,
          `${id("Microsoft.ServiceBus/namespaces", "orders-bus")}/queues/ingest`,
          "${azurerm_linux_function_app.fn.identity[0].principal_id}",
        ],
      ].sort(),
    );
    const owner = assignments.find(([, a]) => a.role_definition_id.endsWith(Roles.StorageBlobDataOwner.guid))![0];
    expect(app.depends_on).toEqual([`azurerm_role_assignment.${owner}`]);
    expect(access.principals.map((p) => p.kind)).toEqual(["SystemAssigned"]);
  });

  it("gives a function app's slots the same host identity and storage grant, and their own system identities", () => {
    const stack = testStack();
    const fn = new LinuxFunctionApp(stack, "fn", { ...inRg, name: "ingest", servicePlanId: "/plan", siteConfig: {} });
    const slot = new LinuxFunctionAppSlot(stack, "slot", { name: "staging", functionAppId: fn.id, siteConfig: {} });
    const hostStorage = StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "ingesthost"));
    new WorkloadIdentity(stack, "ingest", {
      identity: Identity.systemAssigned(),
      compute: [
        AppServiceCompute.linuxFunctionApp(fn, {
          slots: [slot],
          hostStorage,
          hostIdentity: Identity.newUserAssigned({ name: "ingest-host", ...inRg }),
        }),
      ],
      grants: [bus(stack).queue("ingest").allow(Roles.ServiceBusDataReceiver, "trigger receives")],
    });
    const slotJson = only(resourcesOf(stack, "azurerm_linux_function_app_slot"));
    expect(slotJson).toMatchObject({
      storage_account_name: "ingesthost",
      storage_uses_managed_identity: true,
      identity: { type: "SystemAssigned, UserAssigned" },
    });
    expect(only(resourcesOf(stack, "azurerm_user_assigned_identity")).name).toBe("ingest-host");
    const owners = Object.values(resourcesOf(stack, "azurerm_role_assignment")).filter((a) =>
      a.role_definition_id.endsWith(Roles.StorageBlobDataOwner.guid),
    );
    expect(owners).toHaveLength(1);
    expect(owners[0].principal_id).toMatch(/^\$\{azurerm_user_assigned_identity\..*\.principal_id\}$/);
    expect(slotJson.identity.identity_ids).toEqual(
      only(resourcesOf(stack, "azurerm_linux_function_app")).identity.identity_ids,
    );
    expect(slotJson.depends_on).toEqual(only(resourcesOf(stack, "azurerm_linux_function_app")).depends_on);
  });

  it("keeps a function app on a Dedicated plan awake, leaves scaling plans alone, and refuses triggers that would never fire", () => {
    const app = (sku: string, siteConfig = {}) => {
      const stack = testStack();
      const plan = new ServicePlan(stack, "plan", { ...inRg, name: "plan", osType: "Linux", skuName: sku });
      const fn = new LinuxFunctionApp(stack, "fn", { ...inRg, name: "ingest", servicePlanId: plan.id, siteConfig });
      const make = () =>
        new WorkloadIdentity(stack, "ingest", {
          identity: Identity.systemAssigned(),
          compute: [AppServiceCompute.linuxFunctionApp(fn)],
          connections: [Connections.serviceBus("ServiceBusConnection", bus(stack))],
          grants: [],
        });
      return { stack, make };
    };
    for (const sku of ["B1", "S1", "P1v3", "P2mv3", "I1v2"]) {
      const { stack, make } = app(sku);
      make();
      expect(only(resourcesOf(stack, "azurerm_linux_function_app")).site_config).toEqual({ always_on: true });
    }
    for (const sku of ["Y1", "EP1", "FC1"]) {
      const { stack, make } = app(sku);
      make();
      expect(only(resourcesOf(stack, "azurerm_linux_function_app")).site_config).toEqual({});
    }
    expect(app("S1", { alwaysOn: false }).make).toThrow(
      '[test/fn] The function app runs on a Dedicated plan (S1) with always_on = false, so the host idles and triggers on ServiceBusConnection never fire: {"always_on":false,"sku":"S1"}. Fix: remove always_on = false',
    );
  });

  it("refuses a system-assigned workload whose only grant is the host's storage, which would leave its identity holding nothing", () => {
    const stack = testStack();
    const fn = new LinuxFunctionApp(stack, "fn", { ...inRg, name: "ingest", servicePlanId: "/plan", siteConfig: {} });
    const hostStorage = StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "ingesthost"));
    expect(
      () =>
        new WorkloadIdentity(stack, "ingest", {
          identity: Identity.systemAssigned(),
          compute: [AppServiceCompute.linuxFunctionApp(fn, { hostStorage })],
          grants: [],
        }),
    ).toThrow(
      "[test/ingest] The workload's system-assigned identity would hold nothing: its only grant, host storage, goes to the host's user-assigned identity: [\"test/fn\"]. Fix: use Identity.newUserAssigned",
    );
  });

  it("keeps a slot on its app's Dedicated plan awake too", () => {
    const stack = testStack();
    const plan = new ServicePlan(stack, "plan", { ...inRg, name: "plan", osType: "Linux", skuName: "P1v3" });
    const fn = new LinuxFunctionApp(stack, "fn", { ...inRg, name: "ingest", servicePlanId: plan.id, siteConfig: {} });
    const slot = new LinuxFunctionAppSlot(stack, "slot", { name: "staging", functionAppId: fn.id, siteConfig: {} });
    new WorkloadIdentity(stack, "ingest", {
      identity: newIdentity(),
      compute: [AppServiceCompute.linuxFunctionApp(fn, { slots: [slot] })],
      connections: [Connections.serviceBus("Bus", bus(stack))],
      grants: [],
    });
    expect(only(resourcesOf(stack, "azurerm_linux_function_app_slot")).site_config).toEqual({ always_on: true });
  });

  it("asks for always_on when the plan is not one of the stack's, and trusts it when set", () => {
    const stack = testStack();
    const fn = new LinuxFunctionApp(stack, "fn", {
      ...inRg,
      name: "ingest",
      servicePlanId: id("Microsoft.Web/serverFarms", "shared-plan"),
      siteConfig: {},
    });
    const connect = (compute: AppServiceCompute) => () =>
      new WorkloadIdentity(stack, `ingest-${compute.resource.node.id}`, {
        identity: Identity.systemAssigned(),
        compute: [compute],
        connections: [Connections.serviceBus("Bus", bus(stack))],
        grants: [],
      });
    expect(connect(AppServiceCompute.linuxFunctionApp(fn))).toThrow(
      /^\[test\/fn\] The function app's plan cannot be told apart as Dedicated or scaling \(plan \/subscriptions\/.*\/serverFarms\/shared-plan\).*Fix: set site_config.always_on: true on a Dedicated/,
    );
    const other = new LinuxFunctionApp(stack, "fn2", {
      ...inRg,
      name: "ingest2",
      servicePlanId: id("Microsoft.Web/serverFarms", "shared-plan"),
      siteConfig: { alwaysOn: false },
    });
    expect(connect(AppServiceCompute.linuxFunctionApp(other))).not.toThrow();
  });

  it("refuses host storage through the identity on an app that also sets the account key", () => {
    const stack = testStack();
    const fn = new LinuxFunctionApp(stack, "fn", {
      ...inRg,
      name: "ingest",
      servicePlanId: "/plan",
      siteConfig: {},
      storageAccountAccessKey: "not-a-real-key",
    });
    const hostStorage = StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "ingesthost"));
    expect(() => AppServiceCompute.linuxFunctionApp(fn, { hostStorage })).toThrow(
      '[test/fn] Function app host storage is reached through the identity, but an account key is set too: "storage_account_access_key". Fix: remove storage_account_access_key',
    );
  });

  it("names the user-assigned identity for host storage and connections", () => {
    const stack = testStack();
    const fn = new WindowsFunctionApp(stack, "fn", {
      ...inRg,
      name: "ingest",
      servicePlanId: "/plan",
      siteConfig: { alwaysOn: true },
    });
    const access = new WorkloadIdentity(stack, "ingest", {
      identity: newIdentity(),
      compute: [
        AppServiceCompute.windowsFunctionApp(fn, {
          hostStorage: StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "ingesthost")),
        }),
      ],
      connections: [
        Connections.storageQueues(
          "Jobs",
          StorageAccountTarget.fromId(stack, id("Microsoft.Storage/storageAccounts", "acct")),
        ),
      ],
      grants: [],
    });
    const clientId = resolveInStack(stack, access.userAssigned!.clientId);
    expect(only(resourcesOf(stack, "azurerm_windows_function_app")).app_settings).toEqual({
      AZURE_CLIENT_ID: clientId,
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: clientId,
      Jobs__queueServiceUri: "https://acct.queue.core.windows.net",
      Jobs__credential: "managedidentity",
      Jobs__clientId: clientId,
    });
    // A user-assigned workload identity holds the host's grant itself, made before the app.
    const owner = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(owner.principal_id).toBe(resolveInStack(stack, access.userAssigned!.principalId));
    expect(only(resourcesOf(stack, "azurerm_windows_function_app")).depends_on).toEqual([
      `azurerm_role_assignment.${Object.keys(resourcesOf(stack, "azurerm_role_assignment"))[0]}`,
    ]);
  });

  it("refuses registry pull on a Windows function app, which runs no containers", () => {
    const stack = testStack();
    const fn = new WindowsFunctionApp(stack, "fn", { ...inRg, name: "ingest", servicePlanId: "/plan", siteConfig: {} });
    expect(
      () =>
        new WorkloadIdentity(stack, "ingest", {
          identity: Identity.systemAssigned(),
          compute: [AppServiceCompute.windowsFunctionApp(fn)],
          grants: [registry(stack).allow(Roles.AcrPull, "pull")],
        }),
    ).toThrow(/^\[test\/fn\] Windows function apps run no containers/);
  });
});
