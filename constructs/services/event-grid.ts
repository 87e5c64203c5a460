import { defineService } from "./contract";

/** Event Grid: everything the library knows about it. */
export const eventGrid = defineService({
  name: "Event Grid",
  namespaces: ["Microsoft.EventGrid"],
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
