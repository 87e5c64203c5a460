// The Terraform gate (npm run validate): its pure parts, and its main run against a fake
// `terraform` on PATH. Nothing here needs the real terraform binary, the network or Azure.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { ResourceId } from "../constructs";
import "../constructs/services";
import { knownTerraformTypes, resourceTypeOfTerraform } from "../constructs/azure";
import { computedAttributes, identityBlockTypes, mockDefaultsFor } from "../tools/terraform-gate/mock-defaults";
import {
  azurermRequirement,
  classifyInitFailure,
  makeTestCopy,
  preventDestroyProblem,
  renderGateHcl,
} from "../tools/terraform-gate/test-copy";
import { main } from "../tools/validate";
import { AZURERM_VERSION, RUNTIME } from "./runtime";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const valuesOf = (type: string, kind: "resource" | "data" = "resource") =>
  mockDefaultsFor(type, kind).values as Record<string, any>;

describe("mock defaults", () => {
  // Ids the provider builds differently from `<rg>/providers/<Azure type>/<name>`.
  const SPECIAL = new Set(["azurerm_monitor_diagnostic_setting", "azurerm_storage_share"]);

  it.each(knownTerraformTypes().filter((t) => !SPECIAL.has(t)))("%s: id parses as its Azure type", (type) => {
    const id = ResourceId.parse("test", valuesOf(type).id);
    if (type === "azurerm_resource_group") expect(id.level).toBe("resourceGroup");
    else expect(id.isOfType(resourceTypeOfTerraform(type)!.azureType)).toBe(true);
  });

  it("builds the ids azurerm 4.55 sets, one name per segment", () => {
    const rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mock-rg";
    expect(valuesOf("azurerm_resource_group").id).toBe(rg);
    expect(valuesOf("azurerm_subnet").id).toBe(
      `${rg}/providers/Microsoft.Network/virtualNetworks/mock-vnet/subnets/mock-subnet`,
    );
    expect(valuesOf("azurerm_role_assignment").id).toMatch(
      new RegExp(`^${rg}/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-f-]{36}$`),
    );
    expect(valuesOf("azurerm_federated_identity_credential").id).toBe(
      `${valuesOf("azurerm_user_assigned_identity").id}/federatedIdentityCredentials/mock-credential`,
    );
    expect(valuesOf("azurerm_resource_provider_registration").id).toBe(
      "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.App",
    );
    expect(valuesOf("azurerm_service_plan").id).toContain("/Microsoft.Web/serverFarms/"); // the validator is case-sensitive
    // With storage_account_id (as these stacks create them) containers and queues get ARM ids, not URLs.
    expect(valuesOf("azurerm_storage_container").id).toBe(
      `${valuesOf("azurerm_storage_account").id}/blobServices/default/containers/mock-container`,
    );
    expect(valuesOf("azurerm_storage_queue").id).toBe(
      `${valuesOf("azurerm_storage_account").id}/queueServices/default/queues/mock-queue`,
    );
    expect(
      ResourceId.parse("test", valuesOf("azurerm_storage_share").id).isOfType(
        "Microsoft.Storage/storageAccounts/fileServices/shares",
      ),
    ).toBe(true);
    expect(valuesOf("azurerm_key_vault_secret").id).toMatch(
      /^https:\/\/mock-kv\.vault\.azure\.net\/secrets\/mock-secret\/[0-9a-f]{32}$/,
    );
  });

  it("gives UUIDs for principals and tenants, https URLs for endpoints", () => {
    const uami = valuesOf("azurerm_user_assigned_identity");
    for (const attribute of ["principal_id", "client_id", "tenant_id"]) expect(uami[attribute]).toMatch(UUID);
    expect(valuesOf("azurerm_key_vault").vault_uri).toBe("https://mock-kv.vault.azure.net/");
    const issuer = valuesOf("azurerm_kubernetes_cluster").oidc_issuer_url as string;
    expect(issuer).toMatch(
      new RegExp(`^https://westeurope\\.oic\\.prod-aks\\.azure\\.com/${uami.tenant_id}/[0-9a-f-]{36}/$`),
    );
    for (const url of [
      valuesOf("azurerm_storage_account").primary_blob_endpoint,
      valuesOf("azurerm_servicebus_namespace").endpoint,
    ]) {
      expect(new URL(url).protocol).toBe("https:");
    }
    expect(valuesOf("azurerm_client_config", "data")).toMatchObject({
      object_id: expect.stringMatching(UUID),
      tenant_id: uami.tenant_id,
    });
  });

  it("mocks a computed identity block as an object, only where the type has one", () => {
    expect(valuesOf("azurerm_linux_web_app").identity).toEqual({
      principal_id: expect.stringMatching(UUID),
      tenant_id: expect.stringMatching(UUID),
    });
    expect(Array.isArray(valuesOf("azurerm_linux_web_app").identity)).toBe(false);
    expect(valuesOf("azurerm_key_vault").identity).toBeUndefined();
    expect(valuesOf("azurerm_user_assigned_identity").identity).toBeUndefined();
    expect(valuesOf("azurerm_linux_web_app", "data").identity).toBeUndefined(); // a list attribute in data sources
  });

  it("gives a type missing from the table only a generic ARM id, and says so", () => {
    const { values, note } = mockDefaultsFor("azurerm_dns_zone", "resource");
    expect(Object.keys(values)).toEqual(["id"]);
    expect(ResourceId.parse("test", values.id as string).level).toBe("resource");
    expect(note).toMatch(/azurerm_dns_zone is no registered service's resource type/);
  });

  describe(`matches the ${RUNTIME.core} bindings of azurerm ${AZURERM_VERSION}`, () => {
    const lib = join(dirname(require.resolve(`${RUNTIME.provider}/package.json`)), "lib");
    const resourceClass = new RegExp(
      `export declare class \\w+ extends ${RUNTIME.core}\\.TerraformResource \\{([\\s\\S]*?)\\n\\}`,
    );
    /** Computed-only getters (no matching `...Input`) of the resource class, and its identity block's getters. */
    const binding = (type: string) => {
      const src = readFileSync(join(lib, type.replace(/^azurerm_/, "").replace(/_/g, "-"), "index.d.ts"), "utf8");
      const body = resourceClass.exec(src)![1];
      const getters = [...body.matchAll(/get (\w+)\(\)/g)].map((m) => m[1]);
      const inputs = new Set(getters.filter((g) => g.endsWith("Input")).map((g) => g.slice(0, -"Input".length)));
      const identityClass = /get identity\(\): (\w+);/.exec(body)?.[1];
      const identity = identityClass
        ? new RegExp(`export declare class ${identityClass} [\\s\\S]*?\\n\\}`).exec(src)![0]
        : "";
      return {
        computed: new Set(getters.filter((g) => !g.endsWith("Input") && !inputs.has(g))),
        hasIdentity: identity.includes("get principalId()") && identity.includes("get tenantId()"),
      };
    };
    const camel = (snake: string) => snake.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

    it.each(Object.keys(computedAttributes()))("%s: every mocked attribute is computed-only", (type) => {
      const { computed } = binding(type);
      expect(computedAttributes()[type].filter((a) => !computed.has(camel(a)))).toEqual([]);
    });

    it.each(knownTerraformTypes())("%s: identity is mocked exactly when the type has the block", (type) => {
      expect(identityBlockTypes().has(type)).toBe(binding(type).hasIdentity);
    });
  });
});

/** A stack JSON shaped like cdktf's output. */
const stackJson = (preventDestroyOn: string[] = []) => ({
  terraform: { required_providers: { azurerm: { source: "azurerm", version: "4.55.0" } } },
  resource: {
    azurerm_user_assigned_identity: {
      api_id: {
        name: "api",
        ...(preventDestroyOn.includes("api_id")
          ? { lifecycle: { prevent_destroy: true, ignore_changes: ["tags"] } }
          : {}),
      },
    },
    azurerm_key_vault: {
      kv: { name: "kv", ...(preventDestroyOn.includes("kv") ? { lifecycle: { prevent_destroy: true } } : {}) },
    },
    azurerm_role_assignment: {
      grant: {
        scope: "${azurerm_key_vault.kv.id}",
        principal_id: "${azurerm_user_assigned_identity.api_id.principal_id}",
      },
    },
  },
  data: { azurerm_client_config: { current: {} } },
});

describe("test copy", () => {
  it("drops prevent_destroy from the copy, records the addresses, and leaves the original untouched", () => {
    const original = stackJson(["api_id", "kv"]);
    const before = JSON.stringify(original);
    const { json, preventDestroy } = makeTestCopy(original);
    expect(preventDestroy).toEqual(["azurerm_key_vault.kv", "azurerm_user_assigned_identity.api_id"]);
    expect(JSON.stringify(json)).not.toContain("prevent_destroy");
    expect((json as any).resource.azurerm_user_assigned_identity.api_id.lifecycle).toEqual({
      ignore_changes: ["tags"],
    });
    expect((json as any).resource.azurerm_key_vault.kv.lifecycle).toBeUndefined();
    expect(JSON.stringify(original)).toBe(before);
  });

  it("reports a prod stack whose identities lost prevent_destroy", () => {
    expect(preventDestroyProblem("prod", makeTestCopy(stackJson()).preventDestroy)).toMatch(
      /prod has no azurerm_user_assigned_identity with lifecycle\.prevent_destroy = true/,
    );
    expect(preventDestroyProblem("prod", makeTestCopy(stackJson(["kv"])).preventDestroy)).toBeDefined();
    expect(preventDestroyProblem("prod-bootstrap", [])).toBeDefined();
    expect(preventDestroyProblem("prod", makeTestCopy(stackJson(["api_id"])).preventDestroy)).toBeUndefined();
    expect(preventDestroyProblem("dev", [])).toBeUndefined();
    expect(preventDestroyProblem("production-like", [])).toBeUndefined();
  });

  it("renders the mocks for every resource and data source type, then one apply, deterministically", () => {
    const hcl = renderGateHcl(stackJson());
    const reordered = {
      data: stackJson().data,
      resource: Object.fromEntries(Object.entries(stackJson().resource).reverse()),
      terraform: stackJson().terraform,
    };
    expect(renderGateHcl(reordered)).toBe(hcl);
    expect([...hcl.matchAll(/mock_(resource|data) "(\w+)"/g)].map((m) => m[2])).toEqual([
      "azurerm_key_vault",
      "azurerm_role_assignment",
      "azurerm_user_assigned_identity",
      "azurerm_client_config",
    ]);
    expect(hcl).toMatch(/^mock_provider "azurerm" \{$/m);
    expect(hcl).toContain('run "apply" {\n  command = apply\n}\n');
    expect(hcl).toContain('vault_uri = "https://mock-kv.vault.azure.net/"');
    expect(renderGateHcl({ resource: { azurerm_linux_web_app: { a: {} } } })).toMatch(
      /identity = \{\n\s+principal_id = "[0-9a-f-]{36}"\n\s+tenant_id +=/,
    );
    expect(renderGateHcl({ resource: { azurerm_dns_zone: { z: {} } } })).toMatch(
      /# azurerm_dns_zone is no registered service's resource type.*\n\s+mock_resource "azurerm_dns_zone"/,
    );
  });

  it("names the azurerm requirement for the skip line", () => {
    expect(azurermRequirement(stackJson())).toBe("hashicorp/azurerm 4.55.0");
  });
});

describe("init failure classifier", () => {
  const offline = `Initializing provider plugins...
- Finding hashicorp/azurerm versions matching "4.55.0"...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider
hashicorp/azurerm: could not connect to registry.terraform.io: failed to
request discovery document: Get
"https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup
registry.terraform.io on 10.255.255.53:53: no such host`;

  it("skips when the registry is unreachable", () => {
    expect(classifyInitFailure(offline)).toBe("provider-unavailable");
    expect(
      classifyInitFailure(
        "Error: Failed to install provider\n\nError while installing hashicorp/azurerm v4.55.0: dial tcp: i/o timeout",
      ),
    ).toBe("provider-unavailable");
  });

  it("fails on anything else", () => {
    const syntax = `Error: Syntax error in configuration\n\n  on cdk.tf.json line 3:\n   3: "resource": {,\n\nExpected a JSON value.`;
    expect(classifyInitFailure(syntax)).toBe("failure");
    expect(
      classifyInitFailure(
        "Error: Failed to query available provider packages\n\nCould not retrieve the list of available versions for provider hashicorp/azurem: provider registry registry.terraform.io does not have a provider named registry.terraform.io/hashicorp/azurem",
      ),
    ).toBe("failure");
    expect(classifyInitFailure("Error: Failed to install provider\n\nthe local package doesn't match checksums")).toBe(
      "failure",
    );
  });
});

describe("npm run validate (main) with a fake terraform", () => {
  let synthDir: string;
  beforeAll(() => {
    // Two small stacks synthesized by cdktf itself, as `cdktf synth` would write them.
    synthDir = temp("gate-synth-");
    const app = new App({ outdir: synthDir, stackTraces: false });
    for (const name of ["dev", "prod"]) {
      const stack = new TerraformStack(app, name);
      new AzurermProvider(stack, "azurerm", { features: [{}] });
      new UserAssignedIdentity(stack, "identity", {
        name: `${name}-id`,
        location: "westeurope",
        resourceGroupName: `${name}-rg`,
        lifecycle: { preventDestroy: name === "prod" },
      });
    }
    app.synth();
  });

  /** A folder with a `terraform` script first on PATH; FAKE_TF_MODE picks what it does. */
  const fakeTerraform = (mode: string) => {
    const bin = temp("gate-bin-");
    const log = join(bin, "calls.log");
    writeFileSync(
      join(bin, "terraform"),
      `#!/bin/sh
echo "$1 $(pwd)" >> "${log}"
case "$FAKE_TF_MODE:$1" in
  offline:init) printf 'Error: Failed to query available provider packages\\n\\nCould not retrieve the list of available versions for provider\\nhashicorp/azurerm: could not connect to registry.terraform.io: dial tcp: no such host\\n' >&2; exit 1 ;;
  broken:validate) printf 'Error: Unsupported argument\\n\\nAn argument named "nmae" is not expected here.\\n' >&2; exit 1 ;;
  *:test) grep -q 'mock_provider "azurerm"' gate.tftest.hcl && ! grep -q prevent_destroy cdk.tf.json || exit 9 ;;
esac
exit 0
`,
    );
    chmodSync(join(bin, "terraform"), 0o755);
    return { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_TF_MODE: mode }, log };
  };

  const run = (argv: string[], env: NodeJS.ProcessEnv) => {
    const lines: string[] = [];
    const code = main(argv, env, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    return { code, text: lines.join("\n") };
  };

  it("prints one skip line and exits 0 when terraform init cannot reach the registry", () => {
    const { env, log } = fakeTerraform("offline");
    const { code, text } = run(["--no-synth", "--output", synthDir], env);
    expect(code).toBe(0);
    expect(text.match(/skipped/g)).toHaveLength(1);
    expect(text).toContain(
      `validate: skipped — terraform init could not install hashicorp/azurerm ${AZURERM_VERSION} (no registry access); the reviewers run this gate with the real provider`,
    );
    expect(text).toMatch(/prod: prevent_destroy kept in cdk\.tf\.json .* azurerm_user_assigned_identity\.identity/);
    const folder = readFileSync(log, "utf8").split(" ")[1].trim();
    expect(existsSync(folder)).toBe(false); // the test copy's temp folder is removed
  });

  it("fails instead of skipping when CI requires the provider (a registry outage must not let a deploy through)", () => {
    const { env } = fakeTerraform("offline");
    const { code, text } = run(["--no-synth", "--output", synthDir, "--require-provider"], env);
    expect(code).toBe(1);
    expect(text).toContain(
      `validate: failed — terraform init could not install hashicorp/azurerm ${AZURERM_VERSION} (no registry access)`,
    );
    expect(text).not.toContain("skipped");
  });

  it("runs init, validate and test in the test copy and prints a line per stack", () => {
    const { env, log } = fakeTerraform("ok");
    const { code, text } = run(["--no-synth", "--output", synthDir], env);
    expect(text).not.toContain("failed");
    expect(code).toBe(0);
    expect(text).toMatch(/validate: dev: terraform validate and a mocked apply passed/);
    expect(text).toMatch(/validate: prod: terraform validate and a mocked apply passed/);
    expect(
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[0]),
    ).toEqual(["init", "validate", "test", "init", "validate", "test"]);
    expect(readFileSync(join(synthDir, "stacks", "prod", "cdk.tf.json"), "utf8")).toContain("prevent_destroy"); // the original is untouched
  });

  it("reports terraform's output for every failing stack and exits 1", () => {
    const { env } = fakeTerraform("broken");
    const { code, text } = run(["--no-synth", "--output", synthDir], env);
    expect(code).toBe(1);
    expect(text).toContain(
      'validate: dev: terraform validate failed:\nError: Unsupported argument\n\nAn argument named "nmae" is not expected here.',
    );
    expect(text).toContain("validate: prod: terraform validate failed:");
  });

  it("skips when terraform is not on PATH", () => {
    const { code, text } = run(["--no-synth", "--output", synthDir, "dev"], {
      ...process.env,
      PATH: temp("gate-empty-"),
    });
    expect(code).toBe(0);
    expect(text).toMatch(/^validate: skipped — terraform is not on PATH/m);
  });

  it("fails a prod stack without prevent_destroy on its identities, even when terraform is skipped", () => {
    const dir = temp("gate-noprotect-");
    cpSync(synthDir, dir, { recursive: true });
    const file = join(dir, "stacks", "prod", "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    for (const identity of Object.values<any>(json.resource.azurerm_user_assigned_identity)) delete identity.lifecycle;
    writeFileSync(file, JSON.stringify(json));
    const { code, text } = run(["--no-synth", "--output", dir, "prod"], fakeTerraform("offline").env);
    expect(code).toBe(1);
    expect(text).toMatch(/validate: prod has no azurerm_user_assigned_identity with lifecycle\.prevent_destroy = true/);
  });

  it("refuses a misspelt flag, an unknown stack and an empty folder with exit 2", () => {
    const { env } = fakeTerraform("ok");
    expect(run(["--no-synt"], env)).toMatchObject({
      code: 2,
      text: expect.stringMatching(/^validate: unknown flag --no-synt\nusage: npm run validate/),
    });
    expect(run(["--no-synth", "--output", synthDir, "qa"], env)).toMatchObject({
      code: 2,
      text: expect.stringContaining('unknown stack "qa"; synthesized stacks: dev, prod'),
    });
    const empty = temp("gate-nothing-");
    mkdirSync(join(empty, "stacks"));
    expect(run(["--no-synth", "--output", empty], env)).toMatchObject({
      code: 2,
      text: expect.stringContaining("no synthesized stack"),
    });
  });

  it("refuses a misspelt --require-provider with exit 2 before running anything, instead of gating without it", () => {
    const { env, log } = fakeTerraform("offline");
    const usage =
      "usage: npm run validate -- [--no-synth] [--output <synth folder, default cdktf.out>] [--require-provider] [stack ...]";
    expect(run(["--no-synth", "--output", synthDir, "--require-provder"], env)).toEqual({
      code: 2,
      text: `validate: unknown flag --require-provder\n${usage}`,
    });
    expect(existsSync(log)).toBe(false); // terraform never ran: the typo cannot turn a required gate into a skip
    expect(run(["--no-synth", "--outptu", synthDir], env)).toEqual({
      code: 2,
      text: `validate: unknown flag --outptu\n${usage}`,
    });
    expect(run(["--no-synth", "--output"], env)).toMatchObject({
      code: 2,
      text: expect.stringMatching(/^validate: Option '--output <value>' argument missing\nusage: /),
    });
    expect(run(["--no-synth=false", "--output", synthDir], env)).toMatchObject({
      code: 2,
      text: expect.stringMatching(/^validate: Option '--no-synth' does not take an argument\nusage: /),
    });
  });
});
