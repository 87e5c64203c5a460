import { App } from "cdktf";
import { ENVIRONMENTS } from "./stacks/environment-settings";
import { EnvironmentStack } from "./stacks/environment-stack";

const app = new App();
for (const settings of ENVIRONMENTS) new EnvironmentStack(app, settings);
app.synth();
