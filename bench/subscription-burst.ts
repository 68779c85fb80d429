import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { ClientStore } from '../src/store/clients.js';
import { openDatabase } from '../src/store/database.js';

/**
 * The subscription-burst arm (issue "subscriptions that open in bursts"): the gateway as
 * `npm start` runs it (compiled, plain node, SQLite), and N graphql-ws clients opened at once
 * from this process, each with an API key in `connection_init` and one `orderUpdated`
 * subscription on a real order. Measures, per burst: connections acknowledged within 3 s (the
 * graphql-ws default `connectionInitWaitTimeout`), ack and first-payload latency, the gateway's
 * event-loop lag during the burst (prom-client's histogram, reset by the scrape before the
 * burst), and its RSS before, with all open, and after all closed.
 *
 *   npx tsx bench/subscription-burst.ts [N=5000]
 *
 * `npm run bench` runs it too and writes the figures into bench/RESULTS.md.
 */

const root = new URL('..', import.meta.url).pathname;
const SECRET = 'bench-gateway-secret-of-32-characters!!';

export interface BurstResult {
  sockets: number;
  ackedWithin3s: number;
  failed: number;
  ackP50Ms: number;
  ackP99Ms: number;
  firstPayloadP99Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  rssBeforeMb: number;
  rssOpenMb: number;
  rssAfterMb: number;
  /** V8 heap in use, from the gateway's /metrics: what is held, whatever RSS the allocator keeps. */
  heapBeforeMb: number;
  heapOpenMb: number;
  heapAfterMb: number;
  /** From the first socket to the last first payload; CPU each side spent in it. */
  burstMs: number;
  gatewayCpuMs: number;
  clientCpuMs: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** User + system CPU time of a process so far, ms (`/proc/<pid>/stat`, in clock ticks of 10 ms). */
function cpuMs(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Metrics of one scrape (each scrape resets prom-client's event-loop histogram). */
async function metrics(url: string, names: string[]): Promise<number[]> {
  const text = await (await fetch(`${url.replace(/\/graphql$/, '')}/metrics`)).text();
  return names.map((name) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : Number.NaN;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function subscriptionBurst(
  sockets = 5000,
  options: { heapSnapshotDir?: string } = {},
): Promise<BurstResult> {
  const work = mkdtempSync(join(tmpdir(), 'gateway-burst-'));
  const databaseUrl = `file:${join(work, 'burst.sqlite')}`;
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    GATEWAY_SECRET: SECRET,
    CLIENT_REQUESTS_PER_MINUTE: '1000000',
    CLIENT_MAX_SUBSCRIPTIONS: String(sockets * 2),
  };
  // The key: made in the database the gateway opens (migrated by the store first).
  const config = loadConfig({ ...env, NODE_ENV: 'development' });
  const db = openDatabase(config.database, {
    pool: config.databasePool,
    logger: pino({ level: 'silent' }),
  });
  await db.migrate();
  const key = (
    await new ClientStore(db, SECRET).create(`burst-${randomUUID().slice(0, 8)}`, [
      'sales',
      'ledger',
    ])
  ).key;
  await db.close();

  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // BURST_PROFILE=dir: the gateway writes a CPU profile there when it stops.
  const profile = process.env.BURST_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BURST_PROFILE}`]
    : [];
  // BURST_HEAP_SNAPSHOT=dir: after the sockets closed, a heap snapshot there (V8 collects all
  // garbage first), so "heap after" is what is still held, not what was not yet collected.
  const snapshotDir = options.heapSnapshotDir ?? process.env.BURST_HEAP_SNAPSHOT;
  if (snapshotDir) profile.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`);
  const child = spawn(
    process.execPath,
    [...profile, '--max-semi-space-size=8', '--heap-growing-percent=50', 'dist/main.js'],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  try {
    for (let waited = 0; !/GraphiQL: (\S+)/.test(output); waited += 50) {
      if (waited > 30_000 || child.exitCode !== null)
        throw new Error(`gateway did not start:\n${output}`);
      await sleep(50);
    }
    const url = /GraphiQL: (\S+)/.exec(output)![1]!;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const otp = await (
      await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query: `mutation { requestOtp(input: { phone: "0936004420", packageCode: "C120" }) {
            ... on RequestOtpSuccess { orderCode } } }`,
        }),
      })
    ).json();
    const orderCode: string = otp.data.requestOtp.orderCode;
    await sleep(2_000);
    const rssBeforeMb = rssMb(child);
    // Also resets the lag histogram.
    const [heapBefore] = await metrics(url, ['nodejs_heap_size_used_bytes']);

    const wsUrl = url.replace(/^http/, 'ws');
    const acks: number[] = [];
    const firsts: number[] = [];
    let failed = 0;
    const open: WebSocket[] = [];
    const start = performance.now();
    const gatewayCpuBefore = cpuMs(child);
    const clientCpuBefore = process.cpuUsage();
    await Promise.all(
      Array.from(
        { length: sockets },
        () =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
            open.push(ws);
            let settled = false;
            const done = (ok: boolean) => {
              if (settled) return;
              settled = true;
              if (!ok) failed++;
              resolve();
            };
            ws.on('open', () =>
              ws.send(
                JSON.stringify({
                  type: 'connection_init',
                  payload: { authorization: `Bearer ${key}` },
                }),
              ),
            );
            ws.on('message', (raw) => {
              const msg = JSON.parse(raw.toString());
              if (msg.type === 'connection_ack') {
                acks.push(performance.now() - start);
                ws.send(
                  JSON.stringify({
                    id: '1',
                    type: 'subscribe',
                    payload: {
                      query: 'subscription ($c: String!) { orderUpdated(code: $c) { status } }',
                      variables: { c: orderCode },
                    },
                  }),
                );
              } else if (msg.type === 'next') {
                firsts.push(performance.now() - start);
                done(true);
              } else if (msg.type === 'error') {
                done(false);
              }
            });
            ws.on('error', () => done(false));
            ws.on('close', () => done(false));
          }),
      ),
    );
    const burstMs = performance.now() - start;
    const gatewayCpuMs = cpuMs(child) - gatewayCpuBefore;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
    const [lagP99, lagMax] = await metrics(url, [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_lag_max_seconds',
    ]);
    const lagP99Ms = lagP99! * 1000;
    const lagMaxMs = lagMax! * 1000;
    const rssOpenMb = rssMb(child);
    const [heapOpen] = await metrics(url, ['nodejs_heap_size_used_bytes']);
    await Promise.all(
      open.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1000);
          }),
      ),
    );
    await sleep(5_000);
    // Before the snapshot: writing one grows RSS by itself.
    const rssAfterMb = rssMb(child);
    if (snapshotDir) {
      child.kill('SIGUSR2');
      for (let waited = 0; waited < 120_000; waited += 500) {
        await sleep(500);
        const files = readdirSync(snapshotDir).filter((f) => f.endsWith('.heapsnapshot'));
        if (files.length > 0 && statSync(join(snapshotDir, files[0]!)).size > 0) break;
      }
      await sleep(3_000);
    }
    const [heapAfter] = await metrics(url, ['nodejs_heap_size_used_bytes']);
    acks.sort((a, b) => a - b);
    firsts.sort((a, b) => a - b);
    return {
      sockets,
      ackedWithin3s: acks.filter((t) => t <= 3_000).length,
      failed,
      ackP50Ms: quantile(acks, 0.5),
      ackP99Ms: quantile(acks, 0.99),
      firstPayloadP99Ms: quantile(firsts, 0.99),
      lagP99Ms,
      lagMaxMs,
      rssBeforeMb,
      rssOpenMb,
      rssAfterMb,
      heapBeforeMb: heapBefore! / 2 ** 20,
      heapOpenMb: heapOpen! / 2 ** 20,
      heapAfterMb: heapAfter! / 2 ** 20,
      burstMs,
      gatewayCpuMs,
      clientCpuMs,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

/** The "Subscription burst" section of RESULTS.md: each round, then the targets. */
export function burstSection(results: BurstResult[], at: Date): string[] {
  const f = (n: number, d = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const met = (ok: boolean) => (ok ? '**met**' : '**missed**');
  const worst = <K extends keyof BurstResult>(k: K, pick: (a: number, b: number) => number) =>
    results.map((r) => r[k] as number).reduce((a, b) => pick(a, b));
  const sockets = results[0]?.sockets ?? 0;
  const allAcked = worst('ackedWithin3s', Math.min);
  const lagP99 = worst('lagP99Ms', Math.max);
  const growth = Math.max(...results.map((r) => r.rssAfterMb / r.rssBeforeMb));
  const heapGrowth = Math.max(...results.map((r) => r.heapAfterMb / r.heapBeforeMb));
  return [
    '## Subscription burst',
    '',
    `${f(sockets)} graphql-ws clients opened at once from the bench process, each with an API key in \`connection_init\` and one \`orderUpdated\` subscription on a real order; the gateway as \`npm start\` runs it, on SQLite; a fresh gateway per round. Lag from prom-client's event-loop histogram, reset just before the burst. Taken ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC; the client and the gateway share the machine's 2 cores.`,
    '',
    '| round | acked within 3 s | failed | ack p50 / p99 ms | first payload p99 ms | loop lag p99 / max ms | RSS before / open / after MB | heap used before / open / after MB | burst s: gateway CPU / client CPU |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${f(r.ackedWithin3s)} | ${f(r.failed)} | ${f(r.ackP50Ms)} / ${f(r.ackP99Ms)} | ${f(r.firstPayloadP99Ms)} | ${f(r.lagP99Ms)} / ${f(r.lagMaxMs)} | ${f(r.rssBeforeMb)} / ${f(r.rssOpenMb)} / ${f(r.rssAfterMb)} | ${f(r.heapBeforeMb)} / ${f(r.heapOpenMb)} / ${f(r.heapAfterMb)} | ${f(r.burstMs / 1000, 1)}: ${f(r.gatewayCpuMs / 1000, 1)} / ${f(r.clientCpuMs / 1000, 1)} |`,
    ),
    '',
    'Heap used after is read after a heap snapshot, which V8 takes after collecting all garbage: what the gateway still holds once the sockets closed. Why the misses, with the profile: bench/README.md, "Subscription burst".',
    '',
    `- all ${f(sockets)} acknowledged within 3 s in every round (worst: ${f(allAcked)}): ${met(allAcked === sockets)}`,
    `- event-loop lag p99 ≤ 200 ms during the burst (worst: ${f(lagP99)} ms): ${met(lagP99 <= 200)}`,
    `- RSS after closing within 1.2× of before (worst: ${f(growth, 2)}×): ${met(growth <= 1.2)}; heap used after closing within 1.2× of before (worst: ${f(heapGrowth, 2)}×): ${met(heapGrowth <= 1.2)}`,
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 5000);
  const result = await subscriptionBurst(n);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
