import { defineService } from "./contract";

/** Redis: everything the library knows about it. */
export const redis = defineService({
  name: "Redis",
  namespaces: ["Microsoft.Cache"],
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
