// Preloaded into a measured process: on exit, writes its peak resident memory (bytes) and its CPU
// time (user + system, microseconds) where told, as JSON.
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  const usage = process.resourceUsage();
  writeFileSync(
    process.env.BENCH_RSS_FILE,
    JSON.stringify({ rss: usage.maxRSS * 1024, cpu: usage.userCPUTime + usage.systemCPUTime }),
  );
});
