import { IdentityConfigError } from "../../core/errors";
import type { ServiceDefinition } from ".";

const registered: ServiceDefinition[] = [];

/** Adds a checked definition; a second service of the same name is refused. */
export function registerService<D extends ServiceDefinition>(definition: D): D {
  if (registered.some((s) => s.name === definition.name)) {
    throw new IdentityConfigError("defineService", {
      problem: `A service named "${definition.name}" is already defined`,
      value: definition.name,
      fix: "give each service one definition; extend the existing one instead of defining it again",
    });
  }
  registered.push(definition);
  return definition;
}

let shippedLoaded = false;

/** Called once the library's own services are all defined (constructs/services/index.ts). */
export function shippedServicesLoaded(): void {
  shippedLoaded = true;
}

/** Whether the library's own services are all defined: a service defined now is a consumer's. */
export function shippedServicesAreLoaded(): boolean {
  return shippedLoaded;
}

/** The services defined so far, for checks of a definition against those before it. */
export function definedServices(): readonly ServiceDefinition[] {
  return registered;
}

/**
 * Every registered service, shipped ones first, in definition order. Refused before the shipped
 * services are loaded: a lookup then would judge against part of the catalogue, silently.
 */
export function registeredServices(): readonly ServiceDefinition[] {
  if (!shippedLoaded) {
    throw new IdentityConfigError("service registry", {
      problem: "The library's services are not loaded, so no service, role or resource type is known yet",
      value: registered.map((s) => s.name),
      fix: "import the library from its entry point (constructs/index.ts) or load constructs/services before reading or judging anything",
    });
  }
  return registered;
}
