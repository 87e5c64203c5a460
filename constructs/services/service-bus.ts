import { defineService } from "./contract";

/** Service Bus: everything the library knows about it. */
export const serviceBus = defineService({
  name: "Service Bus",
  namespaces: ["Microsoft.ServiceBus"],
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
