import { defineService } from "./contract";

/** Container Registry: everything the library knows about it. */
export const containerRegistry = defineService({
  name: "Container Registry",
  namespaces: ["Microsoft.ContainerRegistry"],
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
