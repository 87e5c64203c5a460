import { IdentityConfigError } from "../../errors";
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

/** Every registered service, shipped ones first, in definition order. */
export function registeredServices(): readonly ServiceDefinition[] {
  return registered;
}
