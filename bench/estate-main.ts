// The generated estate as an app: BENCH_WORKLOADS workloads.
import { App } from "cdktf";
import { buildGeneratedEstate } from "./generated-estate";

const app = new App();
buildGeneratedEstate(app, Number(process.env.BENCH_WORKLOADS ?? "100"));
app.synth();
