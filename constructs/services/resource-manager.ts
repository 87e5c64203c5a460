import { defineService } from "./contract";

/** Resource Manager: everything the library knows about it. */
export const resourceManager = defineService({
  name: "Resource Manager",
  namespaces: ["Microsoft.Resources", "Microsoft.Authorization"],
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
