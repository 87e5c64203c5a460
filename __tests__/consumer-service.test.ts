/**
 * A service the library does not ship, defined by a consumer through the public entry point only:
 * Azure Maps, whose data roles are Azure RBAC built-in roles. Its targets get the grant-time
 * policy, the guardrails (through its keys and audit parts), the access report's rows and the
 * bootstrap's provider registration, as a shipped service's do; a definition that is wrong, or
 * would shadow a shipped service, is refused with the service, the part and the fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { MapsAccount, MapsAccountConfig } from "@cdktf/provider-azurerm/lib/maps-account";
import { LinuxWebApp } from "@cdktf/provider-azurerm/lib/linux-web-app";
import {
  AppServiceCompute,
  azureRole,
  buildAccessReport,
  configureIdentityStack,
  defineService,
  Identity,
  notApplicable,
  requiredResourceProviders,
  Roles,
  ServiceDefinition,
  ServiceTarget,
  UserAssignedIdentity,
  WorkloadIdentity,
} from "../constructs";
import { inRg, only, refusal, resourcesOf, SUBSCRIPTION, TENANT, tempDirs, testStack } from "./helpers";

import { azureMaps as maps } from "./consumer-app/maps-service";

const MAPS_DATA_READER = maps.roles.AzureMapsDataReader.guid;
const MAPS_DATA_CONTRIBUTOR = maps.roles.AzureMapsDataContributor.guid;

const ENTRA_ONLY: Partial<MapsAccountConfig> = { localAuthenticationEnabled: false };
const account = (stack: TerraformStack, config: Partial<MapsAccountConfig> = ENTRA_ONLY) =>
  new MapsAccount(stack, "maps", { ...inRg, name: "orders-maps", skuName: "G2", ...config });
const identity = (stack: TerraformStack) => new UserAssignedIdentity(stack, "app", { ...inRg, name: "app-id" });
const PLAN_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Web/serverFarms/plan`;
const accountId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/geo-rg/providers/Microsoft.Maps/accounts/orders-maps`;

describe("a consumer-defined service's grants", () => {
  it("synthesize an assignment of its role, by GUID, to a service principal, on a resource of the stack", () => {
    const stack = testStack();
    ServiceTarget.of(maps, "account", account(stack)).grant(identity(stack), maps.roles.AzureMapsDataReader, {
      reason: "renders delivery maps",
    });
    const assignment = only(resourcesOf(stack, "azurerm_role_assignment"));
    expect(assignment.role_definition_id).toBe(
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${MAPS_DATA_READER}`,
    );
    expect(assignment.scope).toBe("${azurerm_maps_account.maps.id}");
    expect(assignment.principal_type).toBe("ServicePrincipal");
  });

  it("and on an existing resource by id", () => {
    const stack = testStack();
    const target = ServiceTarget.fromId(stack, maps, "account", accountId);
    target.grant(identity(stack), maps.roles.AzureMapsDataReader, { reason: "renders delivery maps" });
    expect(target.kind).toBe("Azure Maps account");
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).scope).toBe(accountId);
  });

  it("cannot be widened after minting: the grant keeps the scope the policy judged", () => {
    const stack = testStack();
    const target: any = ServiceTarget.fromId(stack, maps, "account", accountId);
    expect(() => (target.scopeReference = `/subscriptions/${SUBSCRIPTION}`)).toThrow(TypeError);
    target.grant(identity(stack), maps.roles.AzureMapsDataReader, { reason: "renders delivery maps" });
    expect(only(resourcesOf(stack, "azurerm_role_assignment")).scope).toBe(accountId);
  });

  it("refuse its broad role without a justification, as the policy refuses a shipped one", () => {
    const refused = testStack();
    const error = refusal(() =>
      ServiceTarget.of(maps, "account", account(refused)).grant(
        identity(refused),
        maps.roles.AzureMapsDataContributor,
        {
          reason: "uploads map data",
        },
      ),
    );
    expect(error.message).toMatch(/IG002 broad-data-role: broad data role Azure Maps Data Contributor for/);
    const granted = testStack();
    ServiceTarget.of(maps, "account", account(granted)).grant(identity(granted), maps.roles.AzureMapsDataContributor, {
      reason: "uploads map data",
      justification: "the tile pipeline writes and deletes the account's data sets",
    });
    expect(only(resourcesOf(granted, "azurerm_role_assignment")).role_definition_id).toMatch(
      new RegExp(`${MAPS_DATA_CONTRIBUTOR}$`),
    );
  });

  it("refuse another service's role at compile time and at run time", () => {
    const stack = testStack();
    const target = ServiceTarget.fromId(stack, maps, "account", accountId);
    // @ts-expect-error a Key Vault role does nothing on an Azure Maps account
    const error = refusal(() => target.grant(identity(stack), Roles.KeyVaultSecretsUser, { reason: "reads" }));
    expect(error.message).toMatch(/Key Vault Secrets User/);
    expect(error.message).toMatch(/Azure Maps/);
    expect(resourcesOf(stack, "azurerm_role_assignment")).toEqual({});
  });

  it("check its names by its naming rule, its tenant, and that its type is one roles are granted on", () => {
    const stack = testStack();
    const bad = accountId.replace("orders-maps", "-orders");
    expect(refusal(() => ServiceTarget.fromId(stack, maps, "account", bad)).message).toMatch(
      /Azure Maps account name breaks Azure's naming rule: "-orders"\. Fix: use 1-98 characters: letters, digits/,
    );
    expect(
      refusal(() => ServiceTarget.fromId(stack, maps, "account", accountId, { tenantId: "contoso" })).message,
    ).toMatch(/tenant id is not a GUID/);
    const vault = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.KeyVault/vaults/app-kv`;
    expect(refusal(() => ServiceTarget.fromId(stack, maps, "account", vault)).message).toMatch(
      /Resource id is not a Azure Maps account \(Microsoft\.Maps\/accounts\)/,
    );
    // @ts-expect-error "creator" is no resource type of the service
    expect(refusal(() => ServiceTarget.fromId(stack, maps, "creator", accountId)).message).toBe(
      `[test] Azure Maps has no resource type "creator" roles are granted on: "creator". Fix: name one of its resource types with services and id "inResourceGroup": account`,
    );
  });

  it("come only from a defined service, never from a look-alike object", () => {
    const stack = testStack();
    const copy = { ...maps } as typeof maps;
    expect(refusal(() => ServiceTarget.fromId(stack, copy, "account", accountId)).message).toBe(
      '[test] Azure Maps is not a defined service: "Azure Maps". Fix: pass the definition defineService returned (defineService checks and registers it)',
    );
  });
});

describe("a consumer-defined service in a judged stack", () => {
  const tempDir = tempDirs("consumer-service-");
  function judged(config?: Partial<MapsAccountConfig>) {
    const app = new App({ outdir: tempDir(), stackTraces: false });
    const stack = new TerraformStack(app, "geo");
    new AzurermProvider(stack, "azurerm", { features: [{}], subscriptionId: SUBSCRIPTION });
    configureIdentityStack(stack, {
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      guardrails: { severity: "warning" },
      auditLogs: {
        workspaceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/ops-rg/providers/Microsoft.OperationalInsights/workspaces/ops`,
      },
    });
    const web = new LinuxWebApp(stack, "web", { ...inRg, name: "geo-web", servicePlanId: PLAN_ID, siteConfig: {} });
    new WorkloadIdentity(stack, "geo", {
      identity: Identity.newUserAssigned({ ...inRg, name: "geo-id" }),
      compute: [AppServiceCompute.linuxWebApp(web)],
      grants: [
        ServiceTarget.of(maps, "account", account(stack, config)).allow(
          maps.roles.AzureMapsDataReader,
          "renders delivery maps",
        ),
      ],
    });
    app.synth();
    const dir = join(app.outdir, "stacks", "geo");
    const findings = JSON.parse(readFileSync(join(dir, "guardrails.json"), "utf8")).findings as { ruleId: string }[];
    return { stack, dir, findings };
  }

  it("flags local auth through its keys part (IG028), and is quiet once it is off", () => {
    const keysOn = judged({});
    expect(keysOn.findings.map((f) => f.ruleId)).toEqual(["IG028"]);
    expect(JSON.stringify(keysOn.findings[0])).toMatch(
      /shared keys and SAS tokens.*local_authentication_enabled = false/,
    );
    expect(judged().findings).toEqual([]);
  });

  it("states its audit gap in the access report's row, and IG026 asks for no setting it cannot have", () => {
    const { stack, findings } = judged();
    expect(findings.filter((f) => f.ruleId === "IG026")).toEqual([]);
    expect(resourcesOf(stack, "azurerm_monitor_diagnostic_setting")).toEqual({});
    const report = buildAccessReport("geo", JSON.parse(Testing.synth(stack)));
    const row = only(Object.fromEntries(report.grants.map((g) => [g.address, g])));
    expect(row).toMatchObject({
      role: "Azure Maps Data Reader",
      roleGuid: MAPS_DATA_READER,
      plane: "data",
      system: "azure-rbac",
      audit:
        "not logged: Azure Monitor lists no resource-log category for Microsoft.Maps/accounts: no log names who read map data",
    });
    expect(row.target).toMatch(/Azure Maps account/);
  });

  it("writes the grant into the access report file", () => {
    const { dir } = judged();
    expect(readFileSync(join(dir, "access-report.md"), "utf8")).toContain("Azure Maps Data Reader");
  });

  it("has its resource provider registered by the bootstrap", () => {
    const stack = testStack();
    account(stack);
    expect(requiredResourceProviders(stack, [stack])).toContain("Microsoft.Maps");
  });
});

describe("defineService, through the public entry, refuses a consumer's definition", () => {
  const base = () => ({
    name: "Contoso Ledger",
    namespaces: ["Contoso.Ledger"],
    resourceTypes: {
      ledger: {
        kind: "ledger",
        azureType: "Contoso.Ledger/ledgers",
        terraformType: "contoso_ledger",
        services: ["Contoso Ledger"],
        id: "inResourceGroup" as const,
        name: { min: 3, max: 24, pattern: /^[a-z0-9]+$/, text: "lowercase letters and digits" },
      },
    },
    roles: notApplicable("this test's ledger has no roles"),
    authorization: { system: "azure-rbac" as const },
    assignments: notApplicable("its roles would be Azure RBAC roles"),
    keys: notApplicable("the ledger takes Entra tokens only"),
    audit: notApplicable("this test is not about audit"),
    network: notApplicable("this test is not about networks"),
    mocks: notApplicable("this test runs no Terraform gate"),
  });
  const define = (definition: unknown) => refusal(() => defineService(definition as ServiceDefinition));

  it("missing a part", () => {
    const { audit: _, ...rest } = base();
    expect(define(rest).message).toBe(
      '[defineService] Contoso Ledger: the definition has no audit part: null. Fix: give audit (see docs/architecture.md), or notApplicable("why Contoso Ledger has none")',
    );
  });

  it("with a malformed azureType", () => {
    const definition = base();
    const error = define({
      ...definition,
      resourceTypes: { ledger: { ...definition.resourceTypes.ledger, azureType: "Contoso.Ledger/ledgers/" } },
    });
    expect(error.message).toMatch(
      /^\[defineService\] Contoso Ledger resourceTypes\.ledger: the azureType is not Namespace\/type\[\/childType\.\.\.\]: "Contoso\.Ledger\/ledgers\/"\. Fix: spell it as in a resource id/,
    );
  });

  it("with a role GUID that is not one", () => {
    const reader = azureRole("Ledger Reader", "ledger-reader", "Contoso Ledger", "data", {});
    expect(define({ ...base(), roles: { LedgerReader: reader } }).message).toBe(
      `[defineService] Contoso Ledger roles.LedgerReader: the role GUID is not a GUID: "ledger-reader". Fix: copy the role definition GUID from Microsoft's "Azure built-in roles" page, in lower case (8-4-4-4-12 hexadecimal digits)`,
    );
  });

  it("that would shadow a shipped service: its name, terraform type, Azure type, role service or role GUID", () => {
    const definition = base();
    const ledger = definition.resourceTypes.ledger;
    const withType = (type: object) => ({ ...definition, resourceTypes: { ledger: { ...ledger, ...type } } });
    expect(define({ ...definition, name: "Key Vault" }).problem).toBe('A service named "Key Vault" is already defined');
    expect(define(withType({ terraformType: "azurerm_key_vault" })).problem).toBe(
      "Contoso Ledger resourceTypes.ledger: the terraform type is already a type of Key Vault",
    );
    expect(
      define({
        ...withType({ azureType: "Microsoft.KeyVault/vaults", terraformType: undefined }),
        namespaces: ["Microsoft.KeyVault"],
      }).message,
    ).toBe(
      `[defineService] Contoso Ledger resourceTypes.ledger: the azureType is already a type of Key Vault: "Microsoft.KeyVault/vaults". Fix: grant on Key Vault's own targets; a service defines only the types of its own resource provider`,
    );
    expect(define(withType({ services: ["Key Vault"] })).message).toBe(
      `[defineService] Contoso Ledger resourceTypes.ledger: the role service "Key Vault" is Key Vault's: ["Key Vault"]. Fix: name Contoso Ledger's own role services, the ones its roles carry`,
    );
    const onVaults = azureRole("Ledger Reader", "11111111-2222-4333-8444-000000000001", "Key Vault", "data", {});
    expect(define({ ...definition, roles: { LedgerReader: onVaults } }).message).toBe(
      `[defineService] Contoso Ledger roles.LedgerReader: the role's service "Key Vault" is Key Vault's: "Key Vault". Fix: give the role Contoso Ledger's own role service (the one its resource types' services name)`,
    );
    const copied = azureRole("Ledger Reader", Roles.KeyVaultSecretsUser.guid, "Contoso Ledger", "data", {});
    expect(define({ ...definition, roles: { LedgerReader: copied } }).problem).toMatch(
      /^Contoso Ledger roles\.LedgerReader: the role GUID is already Key Vault Secrets User of Key Vault$/,
    );
  });
});
