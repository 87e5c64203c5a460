import { App } from "cdktf";
import { ENVIRONMENTS } from "./environment-settings";
import { EnvironmentStack } from "./environment-stack";
import { BootstrapStack } from "./bootstrap-stack";

/** Per environment, the stack the pipeline applies and the bootstrap stack an admin applies; `outdir` lets tests synthesize into a temp folder. */
export function buildApp(outdir?: string): App {
  // No stack traces in annotations: they would write machine paths into manifest.json.
  const app = new App({ stackTraces: false, ...(outdir ? { outdir } : {}) });
  for (const settings of ENVIRONMENTS) new BootstrapStack(app, settings, [new EnvironmentStack(app, settings)]);
  return app;
}
