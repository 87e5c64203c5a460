import { defineService } from "./contract";

/** PostgreSQL: everything the library knows about it. */
export const postgresql = defineService({
  name: "PostgreSQL",
  namespaces: ["Microsoft.DBforPostgreSQL"],
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
