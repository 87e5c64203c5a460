import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { AzureContext, SERVICE_PARTS } from "../constructs/azure";
import {
  EnvironmentDeclaration,
  IdentityConfigError,
  defineService,
  notApplicable,
  ServiceDefinition,
} from "../constructs";

export const SUBSCRIPTION = "11111111-2222-4333-8444-555555555555";
export const OTHER_SUBSCRIPTION = "99999999-8888-4777-8666-555555555555";
export const TENANT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const OTHER_TENANT = "12345678-1234-4234-8234-123456789abc";

/** A stack registered to a test subscription and tenant (and environment, if given); synthesized in memory. */
export function testStack(id = "test", environment?: EnvironmentDeclaration): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  AzureContext.register(stack, { subscriptionId: SUBSCRIPTION, tenantId: TENANT, environment });
  return stack;
}

/** An environment that may hold developer access. */
export const NON_PRODUCTION: EnvironmentDeclaration = { name: "dev", production: false };

export type Resources = Record<string, Record<string, any>>;

/** The stack's resources of one Terraform type, by logical id. */
export function resourcesOf(stack: TerraformStack, type: string): Record<string, any> {
  const json = JSON.parse(Testing.synth(stack)) as { resource?: Resources };
  return json.resource?.[type] ?? {};
}

export function only<T>(record: Record<string, T>): T {
  const values = Object.values(record);
  if (values.length !== 1)
    throw new Error(`expected exactly one, got ${values.length}: ${Object.keys(record).join(", ")}`);
  return values[0];
}

export const registryId = (subscription = OTHER_SUBSCRIPTION) =>
  `/subscriptions/${subscription}/resourceGroups/platform-rg/providers/Microsoft.ContainerRegistry/registries/platformacr`;
export const vaultId = (subscription = SUBSCRIPTION) =>
  `/subscriptions/${subscription}/resourceGroups/app-rg/providers/Microsoft.KeyVault/vaults/app-kv`;

/** Where test resources live. */
export const inRg = { resourceGroupName: "app-rg", location: "westeurope" };

/**
 * Temp folders for synth output: `const tempDir = tempDirs("name-")` in a test file's top scope
 * (or a describe block) gives fresh folders, removed after that scope's tests.
 */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** `dir`, made a synth output folder holding `stackJson` as stack dev's `cdk.tf.json`, as `cdktf synth` writes it. */
export function writeSynthFolder(dir: string, stackJson: unknown): string {
  mkdirSync(join(dir, "stacks", "dev"), { recursive: true });
  writeFileSync(join(dir, "stacks", "dev", "cdk.tf.json"), JSON.stringify(stackJson, null, 2));
  return dir;
}

/** The IdentityConfigError `build` throws (the test fails when it throws nothing, or something else). */
export function refusal(build: () => unknown): IdentityConfigError {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(IdentityConfigError);
  return error as IdentityConfigError;
}

/** A consumer-style service for one test: the parts the test is about, every other part not applicable. */
export function defineTestService<
  const D extends Pick<ServiceDefinition, "name" | "namespaces"> & Partial<ServiceDefinition>,
>(partial: D): D & ServiceDefinition {
  const rest = Object.fromEntries(SERVICE_PARTS.map((part) => [part, notApplicable("not what this test is about")]));
  return defineService({ ...rest, ...partial } as D & ServiceDefinition);
}
