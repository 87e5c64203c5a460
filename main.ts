import { buildApp } from "./stacks/build-app";

buildApp().synth();
