import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { Roles, KeyVaultTarget, UserAssignedIdentity } from "../constructs";
import { AzureStack } from "../stacks/azure-stack";
import { ENVIRONMENTS } from "../stacks/environment-settings";
import { shardWorkloads } from "../stacks/workload-shards";
import { buildGeneratedEstate } from "../bench/generated-estate";
import { tempDirs } from "./helpers";

const names = (n: number) => Array.from({ length: n }, (_, i) => `svc-${i}`);

describe("sharding workloads into stacks", () => {
  it("keeps every workload in exactly one stack, teams apart", () => {
    const workloads = names(30).map((name, i) => ({ name, team: i % 3 === 0 ? "payments" : "catalog" }));
    const shards = shardWorkloads(workloads, { name: (w) => w.name, team: (w) => w.team, shardsPerTeam: 2 });
    expect(shards.map((s) => s.name)).toEqual(["catalog-1", "catalog-2", "payments-1", "payments-2"]);
    expect(
      shards
        .flatMap((s) => s.workloads)
        .map((w) => w.name)
        .sort(),
    ).toEqual(names(30).sort());
    for (const shard of shards) expect(new Set(shard.workloads.map((w) => w.team)).size).toBe(1);
  });

  it("never moves a workload when others are added or removed", () => {
    const where = (list: string[]) =>
      new Map(
        shardWorkloads(list, { name: (w) => w, shardsPerTeam: 4 }).flatMap((s) =>
          s.workloads.map((w) => [w, s.name] as const),
        ),
      );
    const before = where(names(50));
    const after = where([...names(50).slice(10), "new-a", "new-b"]);
    for (const [workload, shard] of after) if (before.has(workload)) expect(shard).toBe(before.get(workload));
  });
});

describe("a split environment", () => {
  const tempDir = tempDirs("split-");
  const app = () => new App({ outdir: tempDir() });

  it("synthesizes stacks with their own state keys that share only resource ids", () => {
    const a = app();
    buildGeneratedEstate(a, 250);
    a.synth();
    const stacks = readdirSync(join(a.outdir, "stacks")).sort();
    expect(stacks).toEqual(["bench-platform", "bench-workloads-1", "bench-workloads-2", "bench-workloads-3"]);
    const jsons = stacks.map((s) => JSON.parse(readFileSync(join(a.outdir, "stacks", s, "cdk.tf.json"), "utf8")));
    expect(new Set(jsons.map((j) => j.terraform.backend.azurerm.key)).size).toBe(stacks.length);
    for (const json of jsons) expect(json.data?.terraform_remote_state).toBeUndefined();
    const apps = jsons.flatMap((j) => Object.values(j.resource.azurerm_linux_web_app ?? {}));
    expect(apps).toHaveLength(250);
    expect(jsons.flatMap((j) => Object.values(j.resource.azurerm_role_assignment ?? {}))).toHaveLength(750);
  });

  it("refuses a cross-stack token, which would make one plan wait for another deploy", () => {
    const a = app();
    const platform = new AzureStack(a, "platform", ENVIRONMENTS[0], "platform");
    const rg = new ResourceGroup(platform, "rg", { name: "rg", location: "westeurope" });
    const vault = new KeyVault(platform, "vault", {
      name: "platform-kv",
      resourceGroupName: rg.name,
      location: "westeurope",
      tenantId: ENVIRONMENTS[0].tenantId,
      skuName: "standard",
    });
    const workloads = new AzureStack(a, "workloads", ENVIRONMENTS[0], "workloads");
    const identity = new UserAssignedIdentity(workloads, "app", {
      name: "app-id",
      resourceGroupName: "rg",
      location: "westeurope",
    });
    KeyVaultTarget.fromId(
      workloads,
      "/subscriptions/1a2b3c4d-0000-4000-8000-00000000d001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/platform-kv",
    ).grant(identity, Roles.KeyVaultSecretsUser, { reason: "reads" });
    identity.resource.addOverride("tags", { vault: vault.id });
    expect(() => a.synth()).toThrow(
      /workloads references another stack through a cross-stack token \(remote state cross-stack-reference-input-platform\)\. Fix: pass the resource id string/,
    );
  });
});
