import { IConstruct } from "constructs";
import { TerraformElement, TerraformStack } from "cdktf";
import { IdentityConfigError } from "./errors";

// The library is built once per CDK runtime (cdktf, CDK Terrain): each package takes the classes
// of its own runtime only. The two mark their stacks and elements with the same Symbol.for keys,
// so a construct of the other runtime (or of a second copy of this one) passes their own is-a
// checks and fails later, in a misleading library error or a crash inside the runtime's
// synthesizer. What tells them apart is the class: `instanceof` this package's runtime.

/** jsii stamps each class it builds with its name and version here: used to name a foreign runtime, never to detect one. */
const JSII_TYPE = Symbol.for("jsii.rtti");

/** "cdktn 0.24.0" for a class of cdktn (or of a package built on it), from the nearest jsii-stamped class. */
function runtimeNameOf(value: object): string | undefined {
  for (let proto: object | null = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    const type = (proto.constructor as unknown as Record<symbol, { fqn?: unknown; version?: unknown }> | undefined)?.[
      JSII_TYPE
    ];
    // The runtime's own base class: cdktf.TerraformStack, cdktn.TerraformElement.
    if (typeof type?.fqn === "string" && /^[a-z][\w-]*\.Terraform(Stack|Element)$/.test(type.fqn))
      return `${type.fqn.split(".")[0]} ${String(type.version)}`;
  }
  return undefined;
}

const OURS = runtimeNameOf(Object.create(TerraformStack.prototype)) ?? "this package's CDK runtime";

function foreign(where: IConstruct | string, what: string, value: IConstruct): IdentityConfigError {
  const theirs = runtimeNameOf(value) ?? "another CDK runtime";
  const sameRuntime = theirs.split(" ")[0] === OURS.split(" ")[0];
  return new IdentityConfigError(where, {
    problem: sameRuntime
      ? `${what} is a construct of a second copy of ${theirs}, not of the ${OURS} this package is built on`
      : `${what} is a ${theirs} construct, but this package is built on ${OURS}`,
    value: value.node.path,
    fix: sameRuntime
      ? `install one copy of ${OURS.split(" ")[0]} in the app (npm ls ${OURS.split(" ")[0]} shows the copies; npm dedupe, or one version range for all)`
      : `use the package built for ${theirs.split(" ")[0]} (@azure-identity-grants/${theirs.split(" ")[0]}), or build the app with ${OURS.split(" ")[0]}'s classes: an app takes one runtime's classes`,
  });
}

/** Whether `value` is a stack or element of another runtime (or another copy of this one). */
function isForeign(value: unknown): value is IConstruct {
  if (typeof value !== "object" || value === null) return false;
  if (TerraformStack.isStack(value)) return !(value instanceof TerraformStack);
  return TerraformElement.isTerraformElement(value) && !(value instanceof TerraformElement);
}

/** The stack `scope` is in, refused when it is another runtime's (TerraformStack.of finds it by a shared marker). */
export function stackOf(scope: IConstruct): TerraformStack {
  const stack = TerraformStack.of(scope);
  if (isForeign(stack)) throw foreign(scope, `The stack of ${scope.node.path || "the app"}`, stack);
  return stack;
}

/** Refuses a construct given to the library (a target, a compute) that is another runtime's. */
export function refuseForeign(where: IConstruct | string, what: string, value: unknown): void {
  if (isForeign(value)) throw foreign(where, what, value);
}

/** Refuses the stack's first element of another runtime: its runtime's synthesizer would crash on it. */
export function refuseForeignElements(stack: TerraformStack): void {
  const found = stack.node.findAll().find(isForeign);
  if (found) throw foreign(stack, `${found.node.path} (in the stack)`, found);
}

const checkedOnSynth = new WeakSet<TerraformStack>();

/**
 * Checks the stack's elements when the app synthesizes it, before the runtime prepares it: both
 * runtimes' `App.synth` call each stack's public `prepareStack()` first, and CDK Terrain's
 * crashes there on a cdktf element. (`Testing.synth` skips it; the synthesis hooks check again.)
 */
export function refuseForeignElementsOnSynth(stack: TerraformStack): void {
  if (checkedOnSynth.has(stack)) return;
  checkedOnSynth.add(stack);
  const prepare = stack.prepareStack.bind(stack);
  Object.defineProperty(stack, "prepareStack", {
    value: () => {
      refuseForeignElements(stack);
      prepare();
    },
  });
}
