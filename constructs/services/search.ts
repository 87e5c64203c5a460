import { defineService } from "./contract";

/** Search: everything the library knows about it. */
export const search = defineService({
  name: "Search",
  namespaces: ["Microsoft.Search"],
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
