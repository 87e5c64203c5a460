// Preloaded into a measured process: on exit, writes its peak resident memory (bytes) where told.
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
