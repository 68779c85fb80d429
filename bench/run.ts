import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startArgs } from '../scripts/start-args.js';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';
import { ClientStore } from '../src/store/clients.js';
import { openDatabase } from '../src/store/database.js';
import { CHECK_PATH } from '../src/vendors/vascloud/wire.js';
import { voiceOtp } from '../src/vendors/voice-otp/index.js';
import { type CpuGroup, cpuSplit, readCpu } from './cpu-split.js';
import { type LedgerArmResult, ledgerGrowth, ledgerSection } from './ledger-growth.js';
import { type BurstResult, burstSection, subscriptionBurst } from './subscription-burst.js';

/**
 * `npm run bench`: the gateway as `npm start` runs it (compiled, plain node), the vendor
 * simulators in a process of their own, and the load from autocannon (or, for sales, from
 * bench/load-sales.ts) in a third. Arms of each comparison alternate within one run, over several
 * rounds. Writes bench/RESULTS.md. Not part of `npm test`.
 *
 * BENCH_QUICK=1 shortens every phase (a smoke run; its figures are not to be recorded).
 * BENCH_DATABASE_URL / BENCH_REDIS_URL (default: the local test services) for the PostgreSQL arms.
 * BENCH_CPU_PROF=<dir> profiles every gateway process (see GATEWAY_ARGS); BENCH_GATEWAY_ENV adds
 * settings to every gateway (see EXTRA_ENV).
 */

const root = new URL('..', import.meta.url).pathname;
const quick = process.env.BENCH_QUICK === '1';
/** The vendor read has four arms: shorter rounds keep the whole run under ten minutes. */
const READ_S = quick ? 2 : 6;
const ROUNDS = quick ? 1 : 3;
/** The throughput arms: more, shorter rounds, so that drift on a shared machine hits every arm. */
const TP_ROUNDS = quick ? 1 : 5;
const TP_S = quick ? 2 : 6;
/** Overload: 50 and 500 connections alternated, rounds of TP_S. */
const OVERLOAD_ROUNDS = quick ? 2 : 4;
const SOAK_S = quick ? 5 : 60;
const SALES_S = quick ? 3 : 15;
/** Concurrent sales clients (issue target: 50). */
const SALES_CLIENTS = Number(process.env.BENCH_SALES_CLIENTS ?? 50);
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const work = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
const SECRET = 'bench-gateway-secret-of-32-characters!!';

/** The voice simulator's account (`npm run sandbox` serves it). */
const voiceSandbox = voiceOtp.sandbox!.credentials as Record<
  'username' | 'password' | 'key' | 'sender',
  string
>;

const QUERY = JSON.stringify({
  query:
    '{ subscriber(phone: "0936004420") { phone msisdn telco eligiblePackages { code price cycleDays } } }',
});

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<Proc>();

async function start(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<Proc> {
  let output = '';
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let waited = 0; !ready.test(output); waited += 50) {
    if (waited > 30_000 || child.exitCode !== null)
      throw new Error(`${name} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const proc: Proc = {
    name,
    child,
    url: ready.exec(output)![1]!,
    output: () => output,
    async stop() {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
  running.add(proc);
  return proc;
}

function rssMb(proc: Proc): number {
  const status = readFileSync(`/proc/${proc.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

/** autocannon in its own process, POSTing the throughput query. */
function autocannon(url: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(root, 'node_modules/.bin/autocannon'),
      [
        '--json',
        '-c',
        String(connections),
        '-d',
        String(seconds),
        '-m',
        'POST',
        '-H',
        'content-type=application/json',
        '-H',
        'x-client-id=bench',
        '-b',
        QUERY,
        url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', () => {
      try {
        const r = JSON.parse(out);
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts + r.non2xx,
          total: r.requests.total,
        });
      } catch (err) {
        reject(new Error(`autocannon printed no result: ${out.slice(0, 500)} (${err})`));
      }
    });
  });
}

/** A client with every scope in the gateway's database, once it has migrated it; its API key. */
async function apiKey(databaseUrl: string): Promise<string> {
  const db = openDatabase(
    /^postgres/.test(databaseUrl)
      ? { kind: 'postgres', url: databaseUrl }
      : { kind: 'sqlite', path: databaseUrl },
  );
  try {
    const name = `bench-${randomBytes(4).toString('hex')}`;
    return (await new ClientStore(db, SECRET).create(name, ['sales', 'ledger', 'voice', 'vas']))
      .key;
  } finally {
    await db.close();
  }
}

/** bench/load-latency.ts in its own process: one connection, one call after another. */
function latencyLoad(url: string, body: string, headers: Record<string, string>, seconds: number) {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/load-latency.ts',
      String(seconds),
      url,
      body,
      JSON.stringify(headers),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as {
    count: number;
    errors: number;
    mean: number;
    p50: number;
    p99: number;
  };
}

/** bench/load-sales.ts in its own process. */
function salesLoad(
  urls: string[],
  phoneBase: number,
  key: string,
): Promise<{
  sales: number;
  errors: number;
  /** The first failures, as the gateway answered them. */
  errorSamples: string[];
  salesPerSecond: number;
  p50: number;
  p99: number;
  /** Cores used during the load, per process group; `load` is the load generator itself. */
  cpu: Record<
    CpuGroup | 'idle' | 'load' | 'gatewayMainThread' | 'gatewayMainThreadWaiting',
    number
  >;
}> {
  const before = readCpu();
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/load-sales.ts',
      String(SALES_S),
      String(SALES_CLIENTS),
      String(phoneBase),
      key,
      ...urls,
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const after = readCpu();
  const result = JSON.parse(out.trim().split('\n').at(-1)!);
  const split = cpuSplit(before, after, cpus().length);
  return Promise.resolve({
    ...result,
    cpu: { ...split, load: result.cpuSeconds / result.elapsedSeconds },
  });
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
};
const f = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mmm = (xs: number[], d = 0) => {
  const { min, median, max } = stats(xs);
  return `${f(min, d)} / ${f(median, d)} / ${f(max, d)}`;
};
const met = (ok: boolean) => (ok ? '**met**' : '**missed**');

/** The gateway's command line: `npm start`'s, so that the bench runs what it runs. */
/**
 * BENCH_CPU_PROF=<dir>: every gateway the bench starts writes a V8 CPU profile there when it
 * stops (`node --cpu-prof`); open it in Chrome DevTools or summarise it with bench/profile-top.ts.
 */
const CPU_PROF = process.env.BENCH_CPU_PROF;
const GATEWAY_ARGS = CPU_PROF
  ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, ...startArgs(root)]
  : startArgs(root);
const GATEWAY_READY = /GraphiQL: (http:\/\/127\.0\.0\.1:\d+\/graphql)/;
const ARM_READY = /LISTENING (http:\/\/127\.0\.0\.1:\d+\/graphql)/;

/**
 * BENCH_GATEWAY_ENV="NAME=value NAME=value": settings added to every gateway the bench starts
 * (an experiment such as `DATABASE_POOL_SIZE=25`; record it beside any figure it produced).
 */
const EXTRA_ENV = Object.fromEntries(
  (process.env.BENCH_GATEWAY_ENV ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

function gatewayEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_URL: join(work, `gw-${randomBytes(4).toString('hex')}.sqlite`),
    GATEWAY_SECRET: SECRET,
    OTP_LIMIT_PER_CLIENT_MINUTE: '100000',
    CLIENT_REQUESTS_PER_MINUTE: '1000000',
    CLIENT_COST_PER_MINUTE: '100000000',
    ...EXTRA_ENV,
    ...extra,
  };
}

/** SQLite 100k and PostgreSQL 1M orders (BENCH_LEDGER_ROWS: other PostgreSQL sizes). */
async function ledgerArm(log: (s: string) => void): Promise<string[]> {
  log('ledger growth…');
  const results: Array<LedgerArmResult | string> = [];
  results.push(await ledgerGrowth('sqlite', quick ? 10_000 : 100_000, log));
  const pgRows = (process.env.BENCH_LEDGER_ROWS ?? (quick ? '10000' : '100000,1000000'))
    .split(',')
    .map(Number);
  for (const rows of pgRows) {
    try {
      results.push(await ledgerGrowth('postgres', rows, log, PG_URL));
    } catch (err) {
      results.push(`PostgreSQL ${rows.toLocaleString('en')}: not run: ${(err as Error).message}`);
    }
  }
  return ledgerSection(results);
}

/**
 * The write path: complete sales from SALES_CLIENTS concurrent clients on SQLite, PostgreSQL, and
 * two instances on PostgreSQL + Redis, against the dmall simulator at `dmallEnv`.
 */
async function writePathArm(
  log: (s: string) => void,
  dmallEnv: Record<string, string>,
): Promise<string[]> {
  log(`write path: complete sales, ${SALES_CLIENTS} concurrent clients…`);
  const writes: Array<{ arm: string; result: Awaited<ReturnType<typeof salesLoad>> | string }> = [];
  {
    const env = gatewayEnv(dmallEnv);
    const g = await start('gateway sqlite', GATEWAY_ARGS, env, GATEWAY_READY);
    const key = await apiKey(env.DATABASE_URL!);
    writes.push({ arm: 'SQLite, one instance', result: await salesLoad([g.url], 1_000_000, key) });
    await g.stop();
  }
  let pgDb: string | null = null;
  try {
    const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    await admin.connect();
    pgDb = `gw_bench_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database "${pgDb}"`);
    await admin.end();
  } catch (err) {
    writes.push({ arm: 'PostgreSQL', result: `not run: ${(err as Error).message}` });
  }
  if (pgDb) {
    const url = new URL(PG_URL);
    url.pathname = `/${pgDb}`;
    const pgEnv = { ...dmallEnv, DATABASE_URL: url.toString() };
    const one = await start('gateway pg', GATEWAY_ARGS, gatewayEnv(pgEnv), GATEWAY_READY);
    const key = await apiKey(pgEnv.DATABASE_URL);
    writes.push({
      arm: 'PostgreSQL, one instance',
      result: await salesLoad([one.url], 2_000_000, key),
    });
    await one.stop();
    const twoEnv = gatewayEnv({ ...pgEnv, REDIS_URL });
    const a = await start('gateway pg a', GATEWAY_ARGS, twoEnv, GATEWAY_READY);
    const b = await start('gateway pg b', GATEWAY_ARGS, twoEnv, GATEWAY_READY);
    writes.push({
      arm: 'PostgreSQL + Redis, two instances',
      result: await salesLoad([a.url, b.url], 3_000_000, key),
    });
    await a.stop();
    await b.stop();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${pgDb}" with (force)`);
    await admin.end();
  }
  for (const w of writes) {
    log(
      `  ${w.arm}: ${typeof w.result === 'string' ? w.result : `${f(w.result.salesPerSecond, 1)} sales/s, ${w.result.errors} errors${w.result.errorSamples.length ? `: ${w.result.errorSamples.join(' | ')}` : ''}`}`,
    );
  }
  type Write = (typeof writes)[number];
  const rate = (arm: string) => {
    const w = writes.find((x: Write) => x.arm === arm);
    return w && typeof w.result !== 'string' ? w.result.salesPerSecond : Number.NaN;
  };
  const sqlite = rate('SQLite, one instance');
  const one = rate('PostgreSQL, one instance');
  const two = rate('PostgreSQL + Redis, two instances');
  return [
    '## Write path',
    '',
    `Complete sales (\`requestOtp\` then \`registerWithOtp\`), ${SALES_CLIENTS} concurrent clients for ${SALES_S} s, against the dmall simulator.`,
    '',
    `CPU: cores used during the load on this ${cpus().length}-core machine, per process group (gateway = every gateway process, and in brackets the busiest gateway's main thread, where its JavaScript runs, then the share of time that thread was ready to run but waited for a core; load = the load generator; other = anything else running).`,
    '',
    '| arm | sales/s | errors | p50 / p99 ms per sale | CPU: gateway (main thread, waiting) / PostgreSQL / Redis / simulators / load / other / idle |',
    '|---|---|---|---|---|',
    ...writes.map(({ arm, result: r }) =>
      typeof r === 'string'
        ? `| ${arm} | ${r} | | | |`
        : `| ${arm} | ${f(r.salesPerSecond, 1)} | ${r.errors} | ${f(r.p50, 1)} / ${f(r.p99, 1)} | ${f(r.cpu.gateway, 2)} (${f(r.cpu.gatewayMainThread, 2)}, ${f(r.cpu.gatewayMainThreadWaiting, 2)}) / ${(['postgres', 'redis', 'simulators', 'load', 'other', 'idle'] as const).map((g) => f(r.cpu[g], 2)).join(' / ')} |`,
    ),
    '',
    `- SQLite ≥ 250 sales/s: ${met(sqlite >= 250)}; PostgreSQL ≥ 200 sales/s: ${met(one >= 200)}; two instances ≥ 1.6× one (${f(two / one, 2)}×): ${met(two / one >= 1.6)}`,
    `- 0 errors: ${met(writes.every((w) => typeof w.result !== 'string' && w.result.errors === 0))}`,
    ...writes.flatMap((w) =>
      typeof w.result !== 'string' && w.result.errorSamples.length > 0
        ? [`- first failures, ${w.arm}: ${w.result.errorSamples.map((e) => `\`${e}\``).join('; ')}`]
        : [],
    ),
    '',
  ];
}

/** The vendor simulators in a process of their own, on a random port; `url` is dmall's. */
function startSimulators(port = 46_000 + Math.floor(Math.random() * 1000)): Promise<Proc> {
  return start(
    'simulators',
    ['--import', 'tsx', 'src/run-simulators.ts', String(port)],
    {},
    /dmall\s+(http:\/\/\S+)/,
  );
}

/** `BENCH_ARMS=sales`: the write path alone, with its own simulators. */
async function salesArm(log: (s: string) => void): Promise<string[]> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  const sims = await startSimulators();
  try {
    return await writePathArm(log, {
      DMALL_BASE_URL: sims.url,
      DMALL_API_KEY: 'sandbox-dmall-api-key',
    });
  } finally {
    await sims.stop();
  }
}

/** Subscription burst: `BURST_SOCKETS` (5,000) graphql-ws clients opened at once, three rounds. */
async function burstArm(log: (s: string) => void): Promise<string[]> {
  const sockets = Number(process.env.BURST_SOCKETS ?? (quick ? 500 : 5000));
  const rounds = quick ? 1 : 3;
  const results: BurstResult[] = [];
  for (let i = 0; i < rounds; i++) {
    log(`subscription burst: ${sockets} sockets, round ${i + 1} of ${rounds}…`);
    const heapSnapshotDir = mkdtempSync(join(work, 'heap-'));
    results.push(await subscriptionBurst(sockets, { heapSnapshotDir }));
    rmSync(heapSnapshotDir, { recursive: true, force: true });
  }
  return burstSection(results, new Date());
}

/**
 * `BENCH_ARMS=ledger` or `BENCH_ARMS=burst npm run bench`: that arm alone; its section of
 * RESULTS.md is replaced and the others kept.
 */
async function armOnly(
  heading: string,
  arm: (log: (s: string) => void) => Promise<string[]>,
  log: (s: string) => void,
): Promise<void> {
  const section = await arm(log);
  const path = join(root, 'bench/RESULTS.md');
  const current = readFileSync(path, 'utf8');
  const start = current.indexOf(heading);
  const rest = start < 0 ? -1 : current.indexOf('\n## ', start + 1);
  const before = start < 0 ? `${current.trimEnd()}\n\n` : current.slice(0, start);
  const after = start < 0 || rest < 0 ? '' : current.slice(rest + 1);
  writeFileSync(path, `${before}${section.join('\n')}\n${after ? `\n${after}` : ''}`);
  log(`wrote the "${heading.slice(3)}" section of bench/RESULTS.md`);
}

async function main() {
  const lines: string[] = [];
  const log = (s: string) => {
    process.stdout.write(`${s}\n`);
  };
  if (process.env.BENCH_ARMS === 'ledger') return armOnly('## Ledger growth', ledgerArm, log);
  if (process.env.BENCH_ARMS === 'burst') return armOnly('## Subscription burst', burstArm, log);
  if (process.env.BENCH_ARMS === 'sales') return armOnly('## Write path', salesArm, log);

  log('building (npm run build)…');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

  // The delayed simulators of the vendor-read arm take ports beside these.
  const simPort = 46_000 + Math.floor(Math.random() * 1000);
  const sims = await startSimulators(simPort);
  const dmallEnv = { DMALL_BASE_URL: sims.url, DMALL_API_KEY: 'sandbox-dmall-api-key' };

  // 1. Throughput, three arms alternated.
  log('throughput: gateway vs bare yoga vs node:http + graphql-js…');
  const arms = {
    // Every vendor in sandbox: the query reaches no vendor, and no API key is needed.
    gateway: await start('gateway', GATEWAY_ARGS, gatewayEnv({}), GATEWAY_READY),
    // The arms run compiled, from dist/, like the gateway: their memory is comparable.
    bareYoga: await start('bare yoga', ['bench/arms/bare-yoga.mjs'], {}, ARM_READY),
    plain: await start('plain graphql-js', ['bench/arms/plain-graphql.mjs'], {}, ARM_READY),
  };
  const rps: Record<keyof typeof arms, number[]> = { gateway: [], bareYoga: [], plain: [] };
  const p99: Record<keyof typeof arms, number[]> = { gateway: [], bareYoga: [], plain: [] };
  const order = Object.keys(arms) as Array<keyof typeof arms>;
  for (const arm of order) await autocannon(arms[arm].url, 50, 2); // warm-up
  const rssWarm = rssMb(arms.gateway);
  for (let round = 0; round < TP_ROUNDS; round++) {
    for (let k = 0; k < order.length; k++) {
      const arm = order[(round + k) % order.length]!;
      const r = await autocannon(arms[arm].url, 50, TP_S);
      rps[arm].push(r.rps);
      p99[arm].push(r.p99);
      log(`  round ${round + 1} ${arm}: ${f(r.rps)} req/s, p99 ${r.p99} ms, errors ${r.errors}`);
    }
  }
  // Every arm has now served the same load for the same time.
  const armRss = {
    gateway: rssMb(arms.gateway),
    bareYoga: rssMb(arms.bareYoga),
    plain: rssMb(arms.plain),
  };
  await arms.bareYoga.stop();
  await arms.plain.stop();
  const med = (xs: number[]) => stats(xs).median;
  const vsYoga = med(rps.gateway) / med(rps.bareYoga);
  const vsPlain = med(rps.gateway) / med(rps.plain);

  // 2. Memory under a minute of load, and 3. overload, on the same gateway process.
  log(`memory: ${SOAK_S} s of the throughput load…`);
  const soak = await autocannon(arms.gateway.url, 50, SOAK_S);
  const rssAfter = rssMb(arms.gateway);
  log(`  RSS ${f(rssWarm)} MB after warm-up, ${f(rssAfter)} MB after the soak`);

  log('overload: 500 connections against 50…');
  const at50: number[] = [];
  const at500: number[] = [];
  let overloadErrors = 0;
  for (let round = 0; round < OVERLOAD_ROUNDS; round++) {
    for (const c of round % 2 ? [500, 50] : [50, 500]) {
      const r = await autocannon(arms.gateway.url, c, TP_S);
      (c === 50 ? at50 : at500).push(r.rps);
      if (c === 500) overloadErrors += r.errors;
      log(`  ${c} connections: ${f(r.rps)} req/s, errors ${r.errors}`);
    }
  }
  const alive = arms.gateway.child.exitCode === null;
  const overloadRatio = med(at500) / med(at50);
  await arms.gateway.stop();

  // 4. Write path: complete sales, SQLite, PostgreSQL, and two instances on PostgreSQL + Redis.
  const writeSection = await writePathArm(log, dmallEnv);
  await sims.stop();

  // 6. Batching: 50 subscribers with one VAS check each, 10 of them repeats, in one query, against
  // the same 50 checks as 50 one-check queries sent at once (each request has its own loaders:
  // no batching across them). In-process gateway (calls are counted at its sandbox simulator),
  // the simulator answering after 20 ms; load from autocannon-free sequential rounds.
  log('batching: 50 VAS checks in one query…');
  const batching = await (async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: join(work, 'batching.sqlite'),
      GRAPHQL_MAX_ALIASES: '100',
      GRAPHQL_MAX_TOKENS: '20000',
      GRAPHQL_MAX_COST: '1000000',
      VENDOR_MAX_CONCURRENCY: '100',
    });
    const gateway = await createGateway(config, { logger: pino({ level: 'silent' }) });
    const url = await gateway.listen();
    const sim = gateway.sandbox.simulators.vascloud!;
    sim.delayMs = 20;
    const phones = Array.from(
      { length: 40 },
      (_, i) => `0912${String(100_000 + i).padStart(6, '0')}`,
    );
    const lookups = [...phones, ...phones.slice(0, 10)];
    const field = (phone: string, i: number) =>
      `s${i}: subscriber(phone: "${phone}") { vasSubscription(serviceId: "1000161", packageId: "1003013") { active } }`;
    const post = async (query: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 300));
    };
    const one = `{ ${lookups.map(field).join(' ')} }`;
    const batched: number[] = [];
    const separate: number[] = [];
    let callsPerQuery = 0;
    const rounds = quick ? 3 : 20;
    try {
      for (let round = 0; round < rounds; round++) {
        const before = sim.callsTo(CHECK_PATH).length;
        let started = performance.now();
        await post(one);
        batched.push(performance.now() - started);
        callsPerQuery = sim.callsTo(CHECK_PATH).length - before;
        started = performance.now();
        await Promise.all(lookups.map((phone, i) => post(`{ ${field(phone, i)} }`)));
        separate.push(performance.now() - started);
      }
    } finally {
      await gateway.close();
    }
    return { batched, separate, callsPerQuery, distinct: new Set(lookups).size };
  })();
  log(
    `  ${batching.callsPerQuery} vendor calls for ${batching.distinct} distinct checks; p50 ${f(stats(batching.batched).median, 1)} ms batched, ${f(stats(batching.separate).median, 1)} ms as 50 queries`,
  );

  // 5. The overhead of one vendor read: voiceOtpBalance (cache off) through the gateway against
  // the same checkBalance call made straight to the simulator, one connection, alternated.
  log('vendor read: voiceOtpBalance against a direct call…');
  type Lat = ReturnType<typeof latencyLoad>;
  /** The arms of the vendor read: the direct call, two floors, and the gateway. */
  const READ_ARMS = ['direct', 'hop', 'bareYoga', 'gateway'] as const;
  type ReadArm = (typeof READ_ARMS)[number];
  const reads: Array<({ delay: number } & Record<ReadArm, Lat[]>) | string> = [];
  for (const delay of [0, 20]) {
    const delayed = await start(
      `simulators +${delay} ms`,
      ['--import', 'tsx', 'src/run-simulators.ts', String(simPort + 100 + delay), String(delay)],
      {},
      /voiceOtp\s+(http:\/\/\S+)/,
    );
    const env = gatewayEnv({
      VOICE_OTP_BASE_URL: delayed.url,
      VOICE_OTP_USERNAME: voiceSandbox.username,
      VOICE_OTP_PASSWORD: voiceSandbox.password,
      VOICE_OTP_KEY: voiceSandbox.key,
      VOICE_OTP_SENDER: voiceSandbox.sender,
      VOICE_OTP_BALANCE_CACHE_SECONDS: '0',
    });
    const g = await start(`gateway voice +${delay} ms`, GATEWAY_ARGS, env, GATEWAY_READY);
    const armEnv = { VOICE_OTP_URL: delayed.url };
    const hop = await start('vendor hop', ['bench/arms/vendor-hop.mjs'], armEnv, ARM_READY);
    const yoga = await start('bare yoga', ['bench/arms/bare-yoga.mjs'], armEnv, ARM_READY);
    const key = await apiKey(env.DATABASE_URL!);
    const directBody = JSON.stringify({
      username: voiceSandbox.username,
      pass: voiceSandbox.password,
      key: voiceSandbox.key,
    });
    const query = JSON.stringify({ query: '{ voiceOtpBalance { balance } }' });
    const load: Record<ReadArm, () => Lat> = {
      direct: () =>
        latencyLoad(`${delayed.url}/onsmsapivoice/checkBalance`, directBody, {}, READ_S),
      hop: () => latencyLoad(hop.url, query, {}, READ_S),
      bareYoga: () => latencyLoad(yoga.url, query, {}, READ_S),
      gateway: () => latencyLoad(g.url, query, { authorization: `Bearer ${key}` }, READ_S),
    };
    const got: Record<ReadArm, Lat[]> = { direct: [], hop: [], bareYoga: [], gateway: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < READ_ARMS.length; k++) {
        const arm = READ_ARMS[(round + k) % READ_ARMS.length]!;
        got[arm].push(load[arm]());
      }
    }
    await g.stop();
    await hop.stop();
    await yoga.stop();
    await delayed.stop();
    const silent = READ_ARMS.find((arm) => got[arm].every((r) => r.count === 0));
    if (silent) {
      reads.push(
        `not run at +${delay} ms: the ${silent} arm answered nothing (${got[silent][0]?.errors} errors)`,
      );
    } else {
      reads.push({ delay, ...got });
    }
    const last = reads.at(-1)!;
    log(
      typeof last === 'string'
        ? `  ${last}`
        : `  +${delay} ms p50: ${READ_ARMS.map((arm) => `${arm} ${f(stats(last[arm].map((r) => r.p50)).median, 2)}`).join(', ')} ms`,
    );
  }

  // RESULTS.md
  const cpu = cpus();
  lines.push(
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.` +
      (quick ? ' **BENCH_QUICK smoke run: figures not representative.**' : ''),
    `Node ${process.version}; ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}; load from autocannon in a separate process; vendor simulators in another.`,
    'Each figure is min / median / max over the rounds its section names, the arms of a comparison alternated within each round.',
    '',
    '## Throughput',
    '',
    `\`{ subscriber(phone: "0936004420") { phone msisdn telco eligiblePackages { code price cycleDays } } }\`, 50 connections, ${TP_ROUNDS} rounds of ${TP_S} s.`,
    '',
    '| arm | requests/s | p99 ms |',
    '|---|---|---|',
    `| this gateway (\`node ${GATEWAY_ARGS.join(' ')}\`, as \`npm start\` runs it) | ${mmm(rps.gateway)} | ${mmm(p99.gateway)} |`,
    `| (b) bare graphql-yoga, same schema, no plugins | ${mmm(rps.bareYoga)} | ${mmm(p99.bareYoga)} |`,
    `| (a) node:http + graphql-js, document cached | ${mmm(rps.plain)} | ${mmm(p99.plain)} |`,
    '',
    `- gateway / bare yoga: **${f(vsYoga, 2)}×** (target ≥ 1.0×): ${met(vsYoga >= 1)}`,
    `- gateway / node:http + graphql-js: **${f(vsPlain, 2)}×** (target ≥ 0.5×): ${met(vsPlain >= 0.5)}`,
    '',
    '## Memory',
    '',
    `RSS of the gateway process (\`node ${GATEWAY_ARGS.join(' ')}\`, as \`npm start\` runs it; npm's own process in front of it is not counted): ${f(rssWarm)} MB after warm-up, ${f(rssAfter)} MB after ${SOAK_S} s of the throughput load (${f(soak.rps)} req/s, ${soak.errors} errors).`,
    '',
    `- ≤ 150 MB: ${met(rssAfter <= 150)}; growth ${f(rssAfter / rssWarm, 2)}× (target ≤ 1.2×): ${met(rssAfter / rssWarm <= 1.2)}`,
    `- beside it, each arm's RSS after the same throughput rounds (warm-up and ${TP_ROUNDS} × ${TP_S} s, all compiled; the arms run by plain \`node\`, the gateway as \`npm start\` runs it): this gateway ${f(armRss.gateway)} MB, (b) bare graphql-yoga ${f(armRss.bareYoga)} MB, (a) node:http + graphql-js ${f(armRss.plain)} MB`,
    '',
    '## Overload',
    '',
    `The throughput query against the same gateway process, ${OVERLOAD_ROUNDS} rounds of ${TP_S} s at each number of connections, alternated.`,
    '',
    `| connections | requests/s |`,
    '|---|---|',
    `| 50 | ${mmm(at50)} |`,
    `| 500 | ${mmm(at500)} |`,
    '',
    `- 500 / 50: **${f(overloadRatio, 2)}×** (target ≥ 0.9×): ${met(overloadRatio >= 0.9)}; failed requests at 500: ${overloadErrors} (target 0): ${met(overloadErrors === 0)}; process alive afterwards: ${met(alive)}`,
    '',
    ...writeSection,
    '## Vendor-read overhead',
    '',
    '`{ voiceOtpBalance { balance } }` with `VOICE_OTP_BALANCE_CACHE_SECONDS=0`, through the gateway, against the same `checkBalance` call made with undici straight to the simulator; one connection, one call after another, arms alternated, ' +
      `${ROUNDS} rounds of ${READ_S} s. ` +
      'Two floors run beside them, in processes of their own: a `node:http` server that makes the same call with undici (the cost of any extra process hop), and a bare graphql-yoga server over the same schema whose resolver makes it (the cost of GraphQL over HTTP with Yoga). Milliseconds, min / median / max over the rounds.',
    '',
    ...reads.flatMap((r) => {
      if (typeof r === 'string') return [`- ${r}: **missed** (not run)`];
      const m = (arm: ReadArm, k: 'mean' | 'p50' | 'p99') => stats(r[arm].map((x) => x[k])).median;
      const over = (arm: ReadArm, k: 'mean' | 'p50' | 'p99') => m(arm, k) - m('direct', k);
      const ratio = (arm: ReadArm) => m(arm, 'mean') / m('direct', 'mean');
      const names: Record<ReadArm, string> = {
        direct: 'direct (undici to the simulator)',
        hop: 'node:http + undici in front of it (no GraphQL)',
        bareYoga: 'bare graphql-yoga, same schema, resolver calling undici',
        gateway: 'this gateway',
      };
      const cell = (arm: ReadArm, k: 'mean' | 'p50' | 'p99') =>
        mmm(
          r[arm].map((x) => x[k]),
          2,
        );
      const rows = [
        `### Vendor delay ${r.delay} ms`,
        '',
        '| arm | mean | p50 | p99 | mean / direct |',
        '|---|---|---|---|---|',
        ...READ_ARMS.map(
          (arm) =>
            `| ${names[arm]} | ${cell(arm, 'mean')} | ${cell(arm, 'p50')} | ${cell(arm, 'p99')} | ${f(ratio(arm), 3)}× |`,
        ),
        '',
      ];
      if (r.delay === 0) {
        rows.push(
          `- overhead: mean ${f(over('gateway', 'mean'), 2)} ms, p50 ${f(over('gateway', 'p50'), 2)} ms (target ≤ 0.3 ms): ${met(over('gateway', 'mean') <= 0.3 && over('gateway', 'p50') <= 0.3)}; p99 ${f(over('gateway', 'p99'), 2)} ms (target ≤ 2 ms): ${met(over('gateway', 'p99') <= 2)}`,
        );
      } else {
        rows.push(
          `- gateway / direct, mean: **${f(ratio('gateway'), 3)}×** (target ≤ 1.02×): ${met(ratio('gateway') <= 1.02)}`,
        );
      }
      rows.push(
        `- where the gateway's p50 overhead goes: the process hop ${f(over('hop', 'p50'), 2)} ms, Yoga and GraphQL on top of it ${f(m('bareYoga', 'p50') - m('hop', 'p50'), 2)} ms, the gateway's own plugins, auth and vendor layer on top of that ${f(m('gateway', 'p50') - m('bareYoga', 'p50'), 2)} ms`,
        '',
      );
      return rows;
    }),
    '## Batching',
    '',
    `50 subscribers with one VAS check each (\`Subscriber.vasSubscription\`), 10 of them repeats, in one query, against the same 50 checks sent at once as 50 one-check queries (each request has its own loaders, so nothing is shared between them). The gateway in the bench's process, its VAS simulator answering after 20 ms; ${batching.batched.length} rounds.`,
    '',
    `- vendor calls for the one query: **${batching.callsPerQuery}** for ${batching.distinct} distinct checks (target: exactly the distinct keys): ${met(batching.callsPerQuery === batching.distinct)}`,
    `- time for all 50 checks, ms, min / median / max: one query ${mmm(batching.batched, 1)}; 50 queries ${mmm(batching.separate, 1)}`,
    '',
  );
  lines.push(...(await ledgerArm(log)), '', ...(await burstArm(log)));
  writeFileSync(join(root, 'bench/RESULTS.md'), lines.join('\n'));
  log('wrote bench/RESULTS.md');
}

try {
  await main();
} finally {
  for (const p of [...running]) await p.stop();
  rmSync(work, { recursive: true, force: true });
}
