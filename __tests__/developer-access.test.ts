import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing, TerraformStack } from "cdktf";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import {
  DeveloperAccess,
  IdentityConfigError,
  KeyVaultTarget,
  type AzureRoleDefinition,
  Roles,
  ScopeTarget,
  StorageAccountTarget,
  UserAssignedIdentity,
  AccessReport,
  buildAccessReport,
} from "../constructs";
import { findRoleByGuid, roleDefinitionId } from "../constructs/azure";
import { roleAssignmentName } from "../constructs/core";
import { evaluateGuardrails, Finding } from "../constructs/guardrails";
import { renderAccessReport, ReportGrant } from "../constructs/reports";
import { buildApp } from "../stacks/build-app";
import { DeveloperAccessStack } from "../stacks/developer-access-stack";
import { developerGroupOf, ENVIRONMENTS, EnvironmentSettings, resourceGroupName } from "../stacks/environment-settings";
import { EnvironmentStack } from "../stacks/environment-stack";
import { inRg, NON_PRODUCTION, SUBSCRIPTION, tempDirs, testStack, vaultId } from "./helpers";

type Json = Record<string, any>;

const env = (name: EnvironmentSettings["name"]): EnvironmentSettings => ENVIRONMENTS.find((e) => e.name === name)!;
const DEV = env("dev");
/** The dev developers' group, as the settings name it. */
const GROUP = DEV.developerAccess!.groupObjectId;
const OTHER_GROUP = "0f0f0f0f-0000-4000-8000-0000000000b2";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An Azure id in the environment's resource group, built from names as the library builds them. */
const idIn = (settings: EnvironmentSettings, path: string) =>
  `/subscriptions/${settings.subscriptionId}/resourceGroups/${resourceGroupName(settings)}/providers/${path}`;
const DEV_VAULT = idIn(DEV, "Microsoft.KeyVault/vaults/contoso-dev-kv");
const DEV_DATA = idIn(DEV, "Microsoft.Storage/storageAccounts/contosodevdata");
const DEV_INGEST = idIn(DEV, "Microsoft.Storage/storageAccounts/contosodevingest");
const DEV_SUBNET = idIn(DEV, "Microsoft.Network/virtualNetworks/contoso-dev-vnet/subnets/compute");

/** The error `build` throws; fails the test when it throws none. */
function errorOf(build: () => unknown): Error {
  try {
    build();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, but none was thrown");
}

/** A hand-written assignment to a group, named deterministically (so no other rule than the ones tested fires). */
function groupGrant(
  stack: TerraformStack,
  id: string,
  scope: string,
  role: AzureRoleDefinition,
  principalId = GROUP,
  subscriptionId = DEV.subscriptionId,
): RoleAssignment {
  return new RoleAssignment(stack, id, {
    name: roleAssignmentName(scope, role.guid, principalId),
    scope,
    roleDefinitionId: roleDefinitionId(subscriptionId, role),
    principalId,
    principalType: "Group",
    description: "hand-written",
  });
}

/** The dev environment stack and its developers stack, in memory, as buildApp makes them. */
function devStacks(): { environment: EnvironmentStack; developers: DeveloperAccessStack } {
  const app = Testing.app();
  const environment = new EnvironmentStack(app, DEV);
  const developers = new DeveloperAccessStack(app, DEV, GROUP, environment);
  return { environment, developers };
}

/** Findings of one rule at one address, as an environment whose severity is error sees them. */
function findingsAt(stack: TerraformStack, ruleId: string, address: string): Finding[] {
  return evaluateGuardrails(stack, { severity: "error" }).filter((f) => f.ruleId === ruleId && f.address === address);
}

/** The developer stack's role assignments: the mirrored grants. */
const assignmentsOf = (tf: Json): Record<string, Json> => tf.resource?.azurerm_role_assignment ?? {};

/** A grant the developers get too: a catalogued narrow data role a workload holds without an exception. */
function isMirrored(g: ReportGrant): boolean {
  const role = findRoleByGuid(g.roleGuid);
  // Azure roles only: Cosmos DB, Redis and database grants are the workloads' alone.
  return (
    g.system === "azure-rbac" &&
    g.access === "workload" &&
    role?.plane === "data" &&
    !role.broad &&
    g.suppressions.length === 0
  );
}

/** The markdown between one `## ` heading and the next. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`no section "## ${title}" in:\n${markdown}`);
  const rest = markdown.slice(start + title.length + 4);
  const end = rest.indexOf("\n## ");
  return end < 0 ? rest : rest.slice(0, end);
}

describe("the real app", () => {
  const tempDir = tempDirs("developer-access-");
  let outdir = "";
  const read = (stack: string, file: string): string => readFileSync(join(outdir, "stacks", stack, file), "utf8");
  const readJson = (stack: string, file: string): Json => JSON.parse(read(stack, file)) as Json;

  beforeAll(() => {
    outdir = tempDir();
    buildApp(outdir).synth();
  });

  /** The dev environment's workload grants, with the assignment each is synthesized as. */
  const devGrants = () => {
    const tf = readJson("dev", "cdk.tf.json");
    const report = readJson("dev", "access-report.json") as AccessReport;
    return report.grants.map((grant) => {
      const [type, name] = grant.address.split(".");
      // A database grant is an output: statements the database's administrator runs.
      const resource = (type === "output" ? tf.output?.[name] : tf.resource?.[type]?.[name]) as Json | undefined;
      if (!resource) throw new Error(`the dev access report names ${grant.address}, which the stack does not hold`);
      return { grant, resource };
    });
  };
  const keyOf = (scope: string, roleDefinition: string) => `${scope}|${roleDefinition}`;

  it("gives dev, and only dev, a developers stack, applied after the environment", () => {
    const stacks = readdirSync(join(outdir, "stacks")).sort();
    expect(stacks.filter((s) => s.endsWith("-developers"))).toEqual(["dev-developers"]);
    expect(stacks).not.toContain("staging-developers");
    expect(stacks).not.toContain("prod-developers");
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Json;
    expect(manifest.stacks["dev-developers"].dependencies).toEqual(["dev"]);
    // Its own state: applying it never touches the environment's resources.
    const backend = (stack: string) => readJson(stack, "cdk.tf.json").terraform.backend.azurerm.key as string;
    expect(backend("dev-developers")).not.toBe(backend("dev"));
  });

  it("mirrors every unjustified narrow data grant of dev's workloads, on the same Azure id, with the same role", () => {
    const expected = new Map<string, { grant: ReportGrant; resource: Json }[]>();
    for (const g of devGrants().filter(({ grant }) => isMirrored(grant))) {
      // The developers' scope is the literal id built from names: the report's scopeId of the workload's grant.
      expect({ address: g.grant.address, scopeId: g.grant.scopeId }).toEqual({
        address: g.grant.address,
        scopeId: expect.stringMatching(/^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\//),
      });
      const key = keyOf(g.grant.scopeId!, g.resource.role_definition_id as string);
      expected.set(key, [...(expected.get(key) ?? []), g]);
    }
    // The dev estate has data grants on vaults, storage, queues and the registry: a real sample.
    expect(expected.size).toBeGreaterThanOrEqual(6);

    const mirrored = Object.values(assignmentsOf(readJson("dev-developers", "cdk.tf.json")));
    const actualKeys = mirrored.map((a) => keyOf(a.scope as string, a.role_definition_id as string));
    expect(actualKeys.sort()).toEqual([...expected.keys()].sort());

    const workloadNames = new Set(devGrants().map(({ resource }) => resource.name as string));
    for (const a of mirrored) {
      const sources = expected.get(keyOf(a.scope as string, a.role_definition_id as string))!;
      const roleGuid = sources[0].grant.roleGuid;
      expect(a).toEqual(
        expect.objectContaining({
          principal_type: "Group",
          principal_id: GROUP,
          name: roleAssignmentName(a.scope as string, roleGuid, GROUP),
          description: expect.stringMatching(/^developer access: as /),
        }),
      );
      expect(a.name).toMatch(GUID);
      // A name of its own: the workload's assignment on the same scope keeps its name.
      expect(workloadNames.has(a.name as string)).toBe(false);
      // Says whose access it follows: `<workload>: <reason>` becomes `developer access: as <workload>, <reason>`.
      const followed = sources.map(({ resource }) =>
        String(resource.description).replace(/^([^:]+): /, "developer access: as $1, "),
      );
      expect(followed).toContain(a.description);
      expect(a.condition).toEqual(sources[0].resource.condition);
    }
  });

  it("gives developers nothing else: no platform, control-plane, broad or justified role", () => {
    const left = devGrants().filter(({ grant }) => !isMirrored(grant));
    // The exceptions the dev estate really has, so this test checks something.
    expect(new Set(left.map(({ grant }) => grant.role))).toEqual(
      new Set([
        "Network Contributor",
        "Managed Identity Operator",
        "Storage Blob Data Owner",
        "Cosmos DB Built-in Data Contributor",
        "SQL db_datareader",
        "SQL db_datawriter",
      ]),
    );
    const mirrored = Object.values(assignmentsOf(readJson("dev-developers", "cdk.tf.json")));
    const roleGuids = mirrored.map((a) => /([0-9a-f-]{36})$/.exec(a.role_definition_id as string)?.[1]);
    for (const guid of [Roles.NetworkContributor, Roles.ManagedIdentityOperator, Roles.StorageBlobDataOwner].map(
      (r) => r.guid,
    ))
      expect(roleGuids).not.toContain(guid);
    for (const guid of roleGuids) {
      const role = findRoleByGuid(guid ?? "");
      expect({ guid, plane: role?.plane, broad: role?.broad }).toEqual({ guid, plane: "data", broad: false });
    }
    const mirroredKeys = new Set(mirrored.map((a) => keyOf(a.scope as string, a.role_definition_id as string)));
    for (const { grant, resource } of left)
      expect(mirroredKeys.has(keyOf(grant.scopeId ?? grant.scope, resource.role_definition_id as string))).toBe(false);
    // Nothing but role assignments: the stack makes no resource of its own.
    expect(Object.keys(readJson("dev-developers", "cdk.tf.json").resource)).toEqual(["azurerm_role_assignment"]);
  });

  it("the mirrored grants raise no guardrail finding at all", () => {
    const report = readJson("dev-developers", "guardrails.json");
    expect(report.settings.developerGroups).toEqual([GROUP]);
    expect(report.findings).toEqual([]);
  });

  it("the developers stack's access report shows people, not workloads", () => {
    const report = readJson("dev-developers", "access-report.json") as AccessReport;
    expect(report.identities).toEqual([
      expect.objectContaining({ key: GROUP, kind: "Group", access: "developer", principalId: GROUP }),
    ]);
    expect(report.grants.length).toBe(Object.keys(assignmentsOf(readJson("dev-developers", "cdk.tf.json"))).length);
    for (const g of report.grants) {
      expect({ address: g.address, identity: g.identity, principalKind: g.principalKind, access: g.access }).toEqual({
        address: g.address,
        identity: GROUP,
        principalKind: "Group",
        access: "developer",
      });
    }

    const markdown = read("dev-developers", "access-report.md");
    expect(section(markdown, "Workload access").trim()).toBe("No workload identities.");
    const developers = section(markdown, "Developer access");
    expect(developers).toContain(`### ${GROUP} (Group)`);
    expect(developers).toContain("- People: the group's members, signed in with `az login` on their machines");
    expect(developers).not.toContain("None: no group or user holds a role");
    for (const g of report.grants) expect(developers).toContain(`| ${g.role} (\`${g.roleGuid}\`) | ${g.target} |`);
    // The file is what renderAccessReport makes of the stack's JSON.
    expect(markdown).toBe(
      renderAccessReport(buildAccessReport("dev-developers", readJson("dev-developers", "cdk.tf.json"))),
    );
  });

  it("the dev environment's access report has workloads only, no developer grant", () => {
    const report = readJson("dev", "access-report.json") as AccessReport;
    expect(report.grants.length).toBeGreaterThan(0);
    expect(report.grants.filter((g) => g.access === "developer")).toEqual([]);
    expect(report.identities.filter((i) => i.access === "developer")).toEqual([]);
    expect(report.grants.map((g) => g.identity)).not.toContain(GROUP);
    const markdown = read("dev", "access-report.md");
    expect(section(markdown, "Developer access").trim()).toBe(
      "None: no group or user holds a role in this environment.",
    );
    expect(markdown).not.toContain(GROUP);
  });
});

describe("which environments allow developer access", () => {
  const tempDir = tempDirs("developer-access-staging-");
  const request = (settings: EnvironmentSettings, extra: Partial<EnvironmentSettings> = {}): EnvironmentSettings => ({
    ...settings,
    developerAccess: { groupObjectId: GROUP },
    ...extra,
  });

  it("refuses prod, whatever allowDeveloperAccess says", () => {
    for (const allow of [undefined, true]) {
      const error = errorOf(() =>
        developerGroupOf(Testing.app(), request(env("prod"), { allowDeveloperAccess: allow })),
      );
      expect(error).toBeInstanceOf(IdentityConfigError);
      expect(error.message).toContain(
        "Developer access requested for prod: people never hold data roles in production",
      );
      expect(error.message).toContain(GROUP);
    }
  });

  it("refuses a developers stack built for prod without the app's check, with no developerAccess in its settings", () => {
    const app = Testing.app();
    const prod = env("prod");
    const error = errorOf(() => new DeveloperAccessStack(app, prod, GROUP, new EnvironmentStack(app, prod)));
    expect(error).toBeInstanceOf(IdentityConfigError);
    expect(error.message).toContain("Developer access requested for prod");
  });

  it("refuses staging unless its settings allow it", () => {
    const error = errorOf(() => developerGroupOf(Testing.app(), request(env("staging"))));
    expect(error).toBeInstanceOf(IdentityConfigError);
    expect(error.message).toContain("Developer access requested for staging, which does not allow it");
    expect((error as IdentityConfigError).fix).toContain("allowDeveloperAccess: true for staging");
  });

  it("refuses dev when its settings turn it off", () => {
    const error = errorOf(() => developerGroupOf(Testing.app(), request(DEV, { allowDeveloperAccess: false })));
    expect(error).toBeInstanceOf(IdentityConfigError);
    expect(error.message).toContain("Developer access requested for dev, which does not allow it");
  });

  it("allows staging with allowDeveloperAccess: true, and its developers stack synthesizes under error severity", () => {
    const staging = request(env("staging"), { allowDeveloperAccess: true });
    expect(developerGroupOf(Testing.app(), staging)).toBe(GROUP);
    expect(developerGroupOf(Testing.app(), DEV)).toBe(GROUP);

    const app = new App({ outdir: tempDir(), stackTraces: false });
    const environment = new EnvironmentStack(app, staging);
    const developers = new DeveloperAccessStack(app, staging, developerGroupOf(app, staging)!, environment);
    expect(developers.node.id).toBe("staging-developers");
    expect(developers.access.assignments.length).toBeGreaterThan(0);
    const findings = evaluateGuardrails(developers, staging.guardrails).filter((f) => f.severity === "error");
    expect(findings).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    const scopes = Object.values(
      assignmentsOf(JSON.parse(readFileSync(join(app.outdir, "stacks", "staging-developers", "cdk.tf.json"), "utf8"))),
    ).map((a) => a.scope as string);
    expect(scopes.length).toBe(developers.access.assignments.length);
    for (const scope of scopes.filter((s) => !s.includes("/platform-shared-rg/")))
      expect(scope.startsWith(`/subscriptions/${staging.subscriptionId}/resourceGroups/contoso-stg-rg/`)).toBe(true);
  });

  it("asks nothing of an environment without developer access", () => {
    for (const settings of ENVIRONMENTS.filter((e) => e.name !== "dev"))
      expect(developerGroupOf(Testing.app(), settings)).toBeUndefined();
  });

  it("refuses a group object id that is not a GUID", () => {
    const error = errorOf(
      () =>
        new DeveloperAccess(testStack("bad-group"), "developers", {
          groupObjectId: "contoso-dev-developers",
          estate: [],
        }),
    );
    expect(error).toBeInstanceOf(IdentityConfigError);
    expect(error.message).toContain("developer group object id is not a GUID");
    expect(error.message).toMatch(/^\[bad-group\/developers\] /);
    expect(error.message).toContain('"contoso-dev-developers"');

    const app = Testing.app();
    const environment = new EnvironmentStack(app, DEV);
    const viaStack = errorOf(() => new DeveloperAccessStack(app, DEV, "contoso-dev-developers", environment));
    expect(viaStack).toBeInstanceOf(IdentityConfigError);
    expect(viaStack.message).toContain("developer group object id is not a GUID");
  });

  it("refuses to mirror the stack it is in", () => {
    const stack = testStack("estate");
    const other = testStack("other");
    for (const estate of [[stack], [other, stack]]) {
      const error = errorOf(
        () => new DeveloperAccess(stack, `developers-${estate.length}`, { groupObjectId: GROUP, estate }),
      );
      expect(error).toBeInstanceOf(IdentityConfigError);
      expect(error.message).toContain("DeveloperAccess mirrors the stack it is in");
      expect(error.message).toContain('"estate"');
    }
  });
});

describe("DeveloperAccess over a hand-built estate", () => {
  const ACCOUNT = `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg/providers/Microsoft.Storage/storageAccounts/appdata`;
  const ONLY_DOCS =
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'docs'))";

  /** Two workloads: narrow data grants (one shared, one conditioned), and grants that needed an exception. */
  function estate(): TerraformStack {
    const stack = testStack("estate", NON_PRODUCTION);
    const [orders, billing] = ["orders", "billing"].map(
      (name) => new UserAssignedIdentity(stack, name, { name: `${name}-id`, ...inRg }),
    );
    const vault = KeyVaultTarget.fromId(stack, vaultId());
    const account = StorageAccountTarget.fromId(stack, ACCOUNT);
    vault.grant(orders, Roles.KeyVaultSecretsUser, { reason: "reads the API key" });
    vault.grant(billing, Roles.KeyVaultSecretsUser, { reason: "reads the API key too" });
    account.grant(billing, Roles.StorageBlobDataReader, {
      reason: "reads invoices in docs",
      condition: { expression: ONLY_DOCS, summary: "reads blobs of docs only" },
    });
    // A narrow data role, but at resource-group scope: it needed a justification (IG003).
    ScopeTarget.fromId(stack, `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg`).grant(
      orders,
      Roles.StorageQueueDataReader,
      {
        reason: "peeks at every queue of the group",
        justification: "the queues are created at run time per tenant, so no resource scope exists at deploy time",
      },
    );
    // A broad data role and a control-plane role: justified too.
    account.grant(orders, Roles.StorageBlobDataOwner, {
      reason: "manages blob access",
      justification: "the legacy importer sets blob ACL inheritance, which only the owner role may change",
    });
    ScopeTarget.fromId(stack, vaultId(), { label: "app-kv-scope" }).grant(orders, Roles.Reader, {
      reason: "lists the vault",
      justification: "the health probe lists vault properties, which no data role of Key Vault allows",
    });
    return stack;
  }

  it("mirrors each narrow unjustified data role once per target, with its condition, and nothing else", () => {
    const developers = testStack("developers", NON_PRODUCTION);
    const access = new DeveloperAccess(developers, "developers", {
      groupObjectId: GROUP.toUpperCase(),
      estate: [estate()],
    });
    expect(access.groupObjectId).toBe(GROUP);
    const assignments = Object.values(assignmentsOf(JSON.parse(Testing.synth(developers)) as Json));
    const view = assignments
      .map((a) => ({
        scope: a.scope,
        role: findRoleByGuid(String(a.role_definition_id).split("/").pop()!)?.name,
        principal: `${a.principal_type} ${a.principal_id}`,
        condition: a.condition ?? null,
        version: a.condition_version ?? null,
      }))
      .sort((a, b) => String(a.role).localeCompare(String(b.role)));
    expect(view).toEqual([
      { scope: vaultId(), role: "Key Vault Secrets User", principal: `Group ${GROUP}`, condition: null, version: null },
      {
        scope: ACCOUNT,
        role: "Storage Blob Data Reader",
        principal: `Group ${GROUP}`,
        condition: ONLY_DOCS,
        version: "2.0",
      },
    ]);
    expect(assignments.map((a) => a.description).sort()).toEqual([
      "developer access: as billing, reads invoices in docs",
      "developer access: as orders, reads the API key",
    ]);
    for (const a of assignments)
      expect(a.role_definition_id).toBe(
        `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${findRoleByGuid(String(a.role_definition_id).split("/").pop()!)!.guid}`,
      );
    const ids = new Set(["IG001", "IG002", "IG003", "IG004", "IG021", "IG025"]);
    expect(evaluateGuardrails(developers, { severity: "error" }).filter((f) => ids.has(f.ruleId))).toEqual([]);
  });

  it("accepts, without IG025, a hand-written developer grant the estate's workloads hold under an exception", () => {
    const developers = testStack("developers", NON_PRODUCTION);
    new DeveloperAccess(developers, "developers", { groupObjectId: GROUP, estate: [estate()] });
    // Held by a workload (justified, so not mirrored): IG025 stays quiet, IG003 speaks.
    groupGrant(
      developers,
      "queues",
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/app-rg`,
      Roles.StorageQueueDataReader,
      GROUP,
      SUBSCRIPTION,
    );
    expect(findingsAt(developers, "IG025", "azurerm_role_assignment.queues")).toEqual([]);
    expect(findingsAt(developers, "IG003", "azurerm_role_assignment.queues")).toHaveLength(1);
    expect(findingsAt(developers, "IG021", "azurerm_role_assignment.queues")).toEqual([]);
  });
});

describe("guardrails on group grants", () => {
  const tempDir = tempDirs("developer-access-guardrails-");
  it("in a stack without DeveloperAccess, a data role for a group is IG021, an error where severity is error", () => {
    const stack = testStack("environment");
    groupGrant(stack, "people", vaultId(), Roles.KeyVaultSecretsUser);
    const found = evaluateGuardrails(stack, { severity: "error" }).filter((f) => f.ruleId === "IG021");
    expect(found).toEqual([
      expect.objectContaining({
        ruleId: "IG021",
        severity: "error",
        address: "azurerm_role_assignment.people",
        message: expect.stringMatching(/^Key Vault Secrets User for .* on .*\/vaults\/app-kv is held by a group$/),
        fix: expect.stringContaining("developerAccess"),
      }),
    ]);
  });

  it("in the dev environment stack, even the developers' own group is IG021: it is a developer group only in its stack", () => {
    const { environment } = devStacks();
    groupGrant(environment, "people", DEV_VAULT, Roles.KeyVaultSecretsUser);
    expect(findingsAt(environment, "IG021", "azurerm_role_assignment.people")).toEqual([
      expect.objectContaining({ severity: "error", message: expect.stringMatching(/ is held by a group$/) }),
    ]);
    // dev warns.
    expect(
      evaluateGuardrails(environment, DEV.guardrails).filter(
        (f) => f.ruleId === "IG021" && f.address === "azurerm_role_assignment.people",
      ),
    ).toEqual([expect.objectContaining({ severity: "warning" })]);
  });

  it("fails the synth of an environment whose severity is error (staging) on a group's data role", () => {
    const staging = env("staging");
    const app = new App({ outdir: tempDir(), stackTraces: false });
    const environment = new EnvironmentStack(app, staging);
    groupGrant(
      environment,
      "people",
      idIn(staging, "Microsoft.KeyVault/vaults/contoso-stg-kv"),
      Roles.KeyVaultSecretsUser,
      GROUP,
      staging.subscriptionId,
    );
    expect(() => app.synth()).toThrow(
      /IG021 non-workload-principal at azurerm_role_assignment\.people: Key Vault Secrets User for .* is held by a group/,
    );
  });

  it("in a developers stack, a broad role for the developer group is IG021 (a workload holds it, so not IG025)", () => {
    const { developers } = devStacks();
    groupGrant(developers, "owner", DEV_INGEST, Roles.StorageBlobDataOwner);
    expect(findingsAt(developers, "IG021", "azurerm_role_assignment.owner")).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /^Storage Blob Data Owner for .* on .*contosodevingest is held by the developer group, which may hold narrow data roles only$/,
        ),
      }),
    ]);
    expect(findingsAt(developers, "IG025", "azurerm_role_assignment.owner")).toEqual([]);
  });

  it("in a developers stack, a platform role for the developer group is IG021", () => {
    const { developers } = devStacks();
    groupGrant(developers, "network", DEV_SUBNET, Roles.NetworkContributor);
    expect(findingsAt(developers, "IG021", "azurerm_role_assignment.network")).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Network Contributor for .* is held by the developer group/),
      }),
    ]);
  });

  it("in a developers stack, a narrow data role on a target no workload holds it on is IG025, not IG021", () => {
    const { developers } = devStacks();
    // Workloads read contosodevdata; none writes it.
    groupGrant(developers, "writer", DEV_DATA, Roles.StorageBlobDataContributor);
    // No workload holds anything on the ingest account's queues.
    groupGrant(developers, "queue", `${DEV_INGEST}/queueServices/default/queues/work`, Roles.StorageQueueDataReader);
    for (const address of ["azurerm_role_assignment.writer", "azurerm_role_assignment.queue"]) {
      expect(findingsAt(developers, "IG025", address)).toEqual([
        expect.objectContaining({
          ruleName: "developer-without-workload-role",
          severity: "error",
          message: expect.stringMatching(
            /: no workload identity of the environment holds this role here, so code tested with it locally fails in Azure$/,
          ),
        }),
      ]);
      expect(findingsAt(developers, "IG021", address)).toEqual([]);
    }
  });

  it("in a developers stack, another group's narrow data role is IG021 even where a workload holds it", () => {
    const { developers } = devStacks();
    groupGrant(developers, "others", DEV_VAULT, Roles.KeyVaultSecretsUser, OTHER_GROUP);
    expect(findingsAt(developers, "IG021", "azurerm_role_assignment.others")).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/ is held by a group$/) }),
    ]);
  });

  it("the mirrored grants themselves raise no access-policy or developer finding", () => {
    const { developers } = devStacks();
    expect(developers.access.assignments.length).toBeGreaterThan(0);
    const ids = new Set(["IG001", "IG002", "IG003", "IG004", "IG005", "IG021", "IG024", "IG025"]);
    expect(evaluateGuardrails(developers, { severity: "error" }).filter((f) => ids.has(f.ruleId))).toEqual([]);
  });
});

describe("the access report of a developers stack, rendered", () => {
  it("puts the group under Developer access, and says there is no workload", () => {
    const { developers } = devStacks();
    const report = buildAccessReport("dev-developers", JSON.parse(Testing.synth(developers)) as Json);
    expect(report.identities.map((i) => [i.key, i.access])).toEqual([[GROUP, "developer"]]);
    expect(report.grants.length).toBe(developers.access.assignments.length);
    expect(new Set(report.grants.map((g) => g.access))).toEqual(new Set(["developer"]));
    const markdown = renderAccessReport(report);
    expect(section(markdown, "Workload access").trim()).toBe("No workload identities.");
    expect(section(markdown, "Developer access")).toContain(`### ${GROUP} (Group)`);
    expect(markdown.indexOf(`### ${GROUP}`)).toBeGreaterThan(markdown.indexOf("## Developer access"));
  });
});
