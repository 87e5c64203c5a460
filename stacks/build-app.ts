import { App } from "cdktf";
import { developerGroupOf, ENVIRONMENTS } from "./environment-settings";
import { DeveloperAccessStack } from "./developer-access-stack";
import { EnvironmentStack } from "./environment-stack";
import { BootstrapStack } from "./bootstrap-stack";

/**
 * Per environment, the stack the pipeline applies, and the ones an admin applies: the bootstrap
 * stack before it, the developers' access after it (where the environment allows developer
 * access). `outdir` lets tests synthesize into a temp folder.
 */
export function buildApp(outdir?: string): App {
  // No stack traces in annotations: they would write machine paths into manifest.json.
  const app = new App({ stackTraces: false, ...(outdir ? { outdir } : {}) });
  for (const settings of ENVIRONMENTS) {
    const environment = new EnvironmentStack(app, settings);
    new BootstrapStack(app, settings, [environment]);
    const group = developerGroupOf(app, settings);
    if (group) new DeveloperAccessStack(app, settings, group, environment);
  }
  return app;
}
