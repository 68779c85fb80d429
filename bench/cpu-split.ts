import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a load: per process group (the gateway, PostgreSQL, the
 * simulators, Redis, anything else running), read from /proc before and after. Linux only; on
 * another system every figure is NaN. The load generator exits before the second reading, so it
 * reports its own CPU time (bench/load-sales.ts prints `cpuSeconds`).
 */
export interface CpuReading {
  /** Jiffies of every CPU together, and of them idle (idle + iowait). */
  total: number;
  idle: number;
  /** utime + stime per pid, with the group its command line puts it in. */
  processes: Map<number, ProcessReading>;
}

interface ProcessReading {
  group: string;
  ticks: number;
  mainThreadTicks: number;
  /** Nanoseconds the main thread was ready to run but waited for a core (`schedstat`). */
  mainThreadWaitNs: number;
}

export type CpuGroup = 'gateway' | 'postgres' | 'redis' | 'simulators' | 'other';

function groupOf(cmdline: string, comm: string): CpuGroup {
  if (cmdline.includes('dist/main.js')) return 'gateway';
  if (comm === 'postgres' || cmdline.startsWith('postgres')) return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis';
  if (cmdline.includes('run-simulators')) return 'simulators';
  return 'other';
}

function statTicks(path: string): { comm: string; ticks: number } {
  const stat = readFileSync(path, 'utf8');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Fields after ")" start at field 3 (state); utime and stime are fields 14 and 15.
  return {
    comm: stat.slice(stat.indexOf('(') + 1, close),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

export function readCpu(): CpuReading {
  const processes = new Map<number, ProcessReading>();
  let total = Number.NaN;
  let idle = Number.NaN;
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const n = cpu.map(Number);
    total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    idle = n[3]! + n[4]!;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const { comm, ticks } = statTicks(`/proc/${entry}/stat`);
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const group = groupOf(cmdline, comm);
        // A Node process's JavaScript runs on its main thread (tid = pid); the rest is GC, libuv.
        const main = `/proc/${entry}/task/${entry}`;
        const gateway = group === 'gateway';
        const mainThreadTicks = gateway ? statTicks(`${main}/stat`).ticks : 0;
        const mainThreadWaitNs = gateway
          ? Number(readFileSync(`${main}/schedstat`, 'utf8').split(' ')[1])
          : 0;
        processes.set(Number(entry), { group, ticks, mainThreadTicks, mainThreadWaitNs });
      } catch {
        // The process ended between the listing and the read.
      }
    }
  } catch {
    // Not Linux.
  }
  return { total, idle, processes };
}

/** Cores used per group between two readings (a process absent from `before` started after it). */
export function cpuSplit(
  before: CpuReading,
  after: CpuReading,
  cores: number,
): Record<CpuGroup | 'idle' | 'gatewayMainThread' | 'gatewayMainThreadWaiting', number> {
  const wall = (after.total - before.total) / cores;
  const used: Record<string, number> = {};
  let mainThread = 0;
  let waiting = 0;
  for (const [pid, p] of after.processes) {
    const start = before.processes.get(pid);
    used[p.group] = (used[p.group] ?? 0) + (p.ticks - (start?.ticks ?? 0));
    const busy = p.mainThreadTicks - (start?.mainThreadTicks ?? 0);
    if (busy > mainThread) {
      mainThread = busy;
      waiting = p.mainThreadWaitNs - (start?.mainThreadWaitNs ?? 0);
    }
  }
  // Jiffies are USER_HZ (100 per second on Linux).
  const wallNs = wall * 1e7;
  const share = (ticks: number) => ticks / wall;
  return {
    gateway: share(used.gateway ?? 0),
    postgres: share(used.postgres ?? 0),
    redis: share(used.redis ?? 0),
    simulators: share(used.simulators ?? 0),
    other: share(used.other ?? 0),
    idle: (after.idle - before.idle) / wall,
    /** The busiest gateway's main thread: near 1.0 means its JavaScript has no time to spare. */
    gatewayMainThread: share(mainThread),
    /** The share of the time that thread was ready to run but every core was busy elsewhere. */
    gatewayMainThreadWaiting: waiting / wallNs,
  };
}
