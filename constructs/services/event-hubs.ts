import { defineService } from "./contract";

/** Event Hubs: everything the library knows about it. */
export const eventHubs = defineService({
  name: "Event Hubs",
  namespaces: ["Microsoft.EventHub"],
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
