import { defineService } from "./contract";

/** Azure Monitor: everything the library knows about it. */
export const monitor = defineService({
  name: "Azure Monitor",
  namespaces: ["Microsoft.OperationalInsights", "Microsoft.Insights", "microsoft.aadiam"],
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
