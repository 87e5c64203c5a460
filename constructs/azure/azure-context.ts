import { stackOf } from "../core/runtime";
import { IConstruct } from "constructs";
import { TerraformLocal, TerraformStack } from "cdktf";
import { isGuid, requireGuid } from "./azure-ids";
import { IdentityConfigError } from "../core/errors";

/** Which environment a stack belongs to, as far as the library's rules care. */
export interface EnvironmentDeclaration {
  /** The environment's name (`dev`, `prod`), as errors and reports show it. */
  readonly name: string;
  /** Production: people never hold data roles there, so DeveloperAccess is refused in and on it. */
  readonly production: boolean;
}

/** The subscription and tenant that a stack's azurerm provider deploys into, and its environment. */
export interface AzureContextProps {
  readonly subscriptionId: string;
  readonly tenantId: string;
  /** Undeclared, a stack counts as production wherever that matters: not declaring is no way around a rule. */
  readonly environment?: EnvironmentDeclaration;
}

const contexts = new WeakMap<TerraformStack, AzureContextProps>();

/** The local holding the subscription configureIdentityStack was given. */
export const DECLARED_SUBSCRIPTION_LOCAL = "identity_stack_subscription";
const SUBSCRIPTION_LOCAL_ID = "identity-stack-subscription";

/**
 * Where a stack deploys: resources created in it get resource ids in this subscription, and
 * identities created in it belong to this tenant.
 */
export class AzureContext {
  static register(stack: TerraformStack, props: AzureContextProps): void {
    requireGuid(stack, "subscription id", props.subscriptionId);
    requireGuid(stack, "tenant id", props.tenantId);
    // Copied once, then checked: a getter cannot answer the check one way and the rules another.
    const given = props.environment as Partial<EnvironmentDeclaration> | undefined;
    const environment = given === undefined ? undefined : { name: given?.name, production: given?.production };
    if (environment !== undefined) checkEnvironment(stack, environment as EnvironmentDeclaration);
    // Written into the stack, for what reads the JSON alone (the guardrails, the report, the diff):
    // the provider may take its subscription from a variable or ARM_SUBSCRIPTION_ID.
    const local = stack.node.tryFindChild(SUBSCRIPTION_LOCAL_ID) as TerraformLocal | undefined;
    if (local) local.expression = props.subscriptionId;
    else
      new TerraformLocal(stack, SUBSCRIPTION_LOCAL_ID, props.subscriptionId).overrideLogicalId(
        DECLARED_SUBSCRIPTION_LOCAL,
      );
    contexts.set(stack, {
      subscriptionId: props.subscriptionId,
      tenantId: props.tenantId,
      ...(environment ? { environment: Object.freeze(environment as EnvironmentDeclaration) } : {}),
    });
  }

  /**
   * Refuses a stack whose JSON records another subscription than the one declared (an override, a
   * second local of the name, the local rewritten): with a provider that names none, the local tells
   * the stack's own targets from others', and one pointed elsewhere would silence IG026 and IG008.
   */
  static refuseForgedSubscription(
    stack: TerraformStack,
    json: { readonly locals?: Record<string, unknown>; readonly provider?: Record<string, unknown> },
  ): void {
    const written = json.locals?.[DECLARED_SUBSCRIPTION_LOCAL];
    const declared = contexts.get(stack)?.subscriptionId;
    if (written !== declared) {
      throw new IdentityConfigError(stack, {
        problem: "The subscription recorded in the stack's output was overwritten",
        value: written ?? null,
        fix: `declare the subscription with configureIdentityStack, never by writing locals.${DECLARED_SUBSCRIPTION_LOCAL}`,
      });
    }
    // The default azurerm provider deploys the stack: naming another subscription than the declared
    // one, every id the library built from names (grant names, the report, verify) would point elsewhere.
    const blocks = [json.provider?.azurerm].flat() as (Record<string, unknown> | undefined)[];
    const deploying = blocks.find((b) => b !== undefined && b !== null && b.alias === undefined)?.subscription_id;
    if (typeof deploying === "string" && isGuid(deploying) && deploying.toLowerCase() !== declared?.toLowerCase()) {
      throw new IdentityConfigError(stack, {
        problem: `The azurerm provider deploys into subscription ${deploying}, not the one configureIdentityStack was given`,
        value: declared ?? null,
        fix: "give configureIdentityStack the provider's subscription id (or the provider the declared one)",
      });
    }
  }

  /** The stack's declared environment, if it declared one (and was registered at all). */
  static environmentOf(stack: TerraformStack): EnvironmentDeclaration | undefined {
    return contexts.get(stack)?.environment;
  }

  static of(scope: IConstruct): AzureContextProps {
    const stack = stackOf(scope);
    const found = contexts.get(stack);
    if (found) return found;
    throw new IdentityConfigError(scope, {
      problem: "No Azure subscription is known for this stack",
      value: stack.node.id,
      fix: "call configureIdentityStack(stack, { subscriptionId, tenantId, guardrails }) on the stack first",
    });
  }
}

const PRODUCTION_NAMES = new Set(["prod", "production", "prd"]);
/** Words that turn a following production word into another environment's name (pre-prod, nonprod). */
const NOT_PRODUCTION_BEFORE = new Set(["pre", "non"]);

/**
 * Whether a name says production in any of its words (app-prod, prod-weu, ProdWeu, prd01), split at
 * `-`, `_`, case changes and digits; pre-prod and nonprod do not. A false refusal costs a rename, a
 * false acceptance lets developer access into production.
 */
function namesProduction(name: string): boolean {
  const words = name
    .split(/[-_]|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/)
    .map((w) => w.toLowerCase())
    .flatMap((w) => {
      const prefix = [...NOT_PRODUCTION_BEFORE].find((p) => w.startsWith(p) && PRODUCTION_NAMES.has(w.slice(p.length)));
      return prefix ? [prefix, w.slice(prefix.length)] : [w];
    });
  return words.some((w, i) => PRODUCTION_NAMES.has(w) && !NOT_PRODUCTION_BEFORE.has(words[i - 1] ?? ""));
}

/** A declaration that could be read two ways is refused: `production: "false"` is truthy, and no name says which environment. */
function checkEnvironment(stack: TerraformStack, environment: EnvironmentDeclaration): void {
  const value = environment as unknown as Record<string, unknown> | null;
  if (typeof value?.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value.name)) {
    throw new IdentityConfigError(stack, {
      problem: "The environment's name is not 1 to 64 letters, digits, `-` or `_`",
      value: value?.name ?? null,
      fix: 'declare environment: { name: "dev", production: false } (the name as your stacks call it)',
    });
  }
  if (typeof value.production !== "boolean") {
    throw new IdentityConfigError(stack, {
      problem: `Environment ${value.name} does not say whether it is production (true or false)`,
      value: value.production ?? null,
      fix: "set production: true for production, false for any other environment",
    });
  }
  // The name is what reviewers, errors and reports read: one that says production while the flag
  // says otherwise is a contradiction (a typo, or a way to let developer access in), not a choice.
  if (!value.production && namesProduction(value.name)) {
    throw new IdentityConfigError(stack, {
      problem: `Environment ${value.name} is named as production but declares production: false`,
      value: value.name,
      fix: "set production: true, or name the environment for what it is (dev, test, staging...)",
    });
  }
}
