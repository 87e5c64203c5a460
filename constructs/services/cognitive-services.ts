import { defineService } from "./contract";

/** Cognitive Services: everything the library knows about it. */
export const cognitiveServices = defineService({
  name: "Cognitive Services",
  namespaces: ["Microsoft.CognitiveServices"],
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
