import { defineService } from "./contract";

/** Virtual Machines: everything the library knows about it. */
export const virtualMachines = defineService({
  name: "Virtual Machines",
  namespaces: ["Microsoft.Compute"],
  // @part resourceTypes
  // @part roles
  // @part authorization
  // @part assignments
  // @part keys
  // @part audit
  // @part network
  // @part mocks
});

// @targets
