import { defineService } from "./contract";

/** Kubernetes Service: everything the library knows about it. */
export const kubernetes = defineService({
  name: "Kubernetes Service",
  namespaces: ["Microsoft.ContainerService"],
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
