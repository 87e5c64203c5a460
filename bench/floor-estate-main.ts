// The generated estate's floor as an app: BENCH_WORKLOADS workloads, provider classes only.
import { App } from "cdktf";
import { buildFloorEstate } from "./floor-estate";

const app = new App();
buildFloorEstate(app, Number(process.env.BENCH_WORKLOADS ?? "100"));
app.synth();
