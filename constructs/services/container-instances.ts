import { defineService } from "./contract";

/** Container Instances: everything the library knows about it. */
export const containerInstances = defineService({
  name: "Container Instances",
  namespaces: ["Microsoft.ContainerInstance"],
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
