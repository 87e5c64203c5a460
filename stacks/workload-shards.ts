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
  const shards = new Map<string, T[]>();
  for (const workload of workloads) {
    const name = options.name(workload);
    const index = createHash("sha1").update(name).digest().readUInt32BE(0) % options.shardsPerTeam;
    const key = `${options.team?.(workload) ?? "workloads"}-${index + 1}`;
    shards.set(key, [...(shards.get(key) ?? []), workload]);
  }
  return [...shards.entries()].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([name, members]) => ({ name, workloads: members }));
}
