import { defineService } from "./contract";

/** Azure SQL: everything the library knows about it. */
export const sql = defineService({
  name: "Azure SQL",
  namespaces: ["Microsoft.Sql"],
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
