import { defineService } from "./contract";

/** Cosmos DB: everything the library knows about it. */
export const cosmosDb = defineService({
  name: "Cosmos DB",
  namespaces: ["Microsoft.DocumentDB"],
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
