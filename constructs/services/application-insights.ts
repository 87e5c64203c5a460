import { defineService } from "./contract";

/** Application Insights: everything the library knows about it. */
export const applicationInsights = defineService({
  name: "Application Insights",
  namespaces: ["Microsoft.Insights"],
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
