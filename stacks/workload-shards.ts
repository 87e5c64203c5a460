import { createHash } from "node:crypto";

export interface ShardingOptions<T> {
  readonly name: (workload: T) => string;
  /** Workloads of different teams never share a stack. */
  readonly team?: (workload: T) => string;
  /** Stacks per team. Changing it moves workloads between stacks (and their state): set it once. */
  readonly shardsPerTeam: number;
}

export interface WorkloadShard<T> {
  /** `<team>-<n>`: part of the stack name and of its state key. */
  readonly name: string;
  readonly workloads: readonly T[];
}

/**
 * Splits an environment's workloads into stacks that plan and deploy in parallel. A workload's
 * stack depends only on its team and a hash of its name, so adding or removing a workload never
 * moves another one (which would destroy and re-create it under another state).
 */
export function shardWorkloads<T>(workloads: readonly T[], options: ShardingOptions<T>): WorkloadShard<T>[] {
  const shards = new Map<string, { team: string; index: number; workloads: T[] }>();
  for (const workload of workloads) {
    const team = options.team?.(workload) ?? "workloads";
    const index = createHash("sha1").update(options.name(workload)).digest().readUInt32BE(0) % options.shardsPerTeam;
    const shard = shards.get(`${team}-${index}`) ?? { team, index, workloads: [] };
    shard.workloads.push(workload);
    shards.set(`${team}-${index}`, shard);
  }
  return [...shards.values()]
    .sort((a, b) => byCodeUnits(a.team, b.team) || a.index - b.index)
    .map((s) => ({ name: `${s.team}-${s.index + 1}`, workloads: s.workloads }));
}

/** The same order on every machine: `localeCompare` depends on the machine's ICU data. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
