import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createGateway } from '../src/gateway.js';

/**
 * Full sales (requestOtp then registerWithOtp) through `yoga.fetch`, against the dmall simulator on
 * a loopback port, at a fixed concurrency. Prints sales per second, latency percentiles per
 * mutation and the process's memory. Usage:
 *   npx tsx bench/sale-flow.ts [sales=2000] [concurrency=20] [DATABASE_URL]
 * Results go in bench/README.md with the machine they were taken on.
 */
const total = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
const databaseUrl = process.argv[4] ?? join(dir, 'bench.sqlite');

const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: databaseUrl,
  OTP_LIMIT_PER_CLIENT_MINUTE: '100000',
  VENDOR_MAX_CONCURRENCY: String(Math.max(20, concurrency)),
});
const gateway = await createGateway(config, { logger: pino({ level: 'silent' }) });

const REQUEST = `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
  __typename ... on RequestOtpSuccess { order { orderCode } } } }`;
const REGISTER = `mutation ($input: RegisterWithOtpInput!) { registerWithOtp(input: $input) {
  __typename ... on RegisterWithOtpSuccess { order { status } } } }`;

async function gql(query: string, input: Record<string, unknown>) {
  const res = await gateway.yoga.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-client-id': 'bench' },
    body: JSON.stringify({ query, variables: { input } }),
  });
  return (await res.json()) as {
    data: Record<string, { __typename: string; order?: { orderCode: string } }>;
  };
}

const otpMs: number[] = [];
const registerMs: number[] = [];
let failures = 0;
let next = 0;
// Distinct MobiFone numbers, so no phone limit or open-OTP rule is hit.
const phone = (i: number) => `090${String(1_000_000 + i).padStart(7, '0')}`;

async function worker() {
  for (let i = next++; i < total; i = next++) {
    let t = performance.now();
    const otp = await gql(REQUEST, {
      phone: phone(i),
      packageCode: 'C120',
      idempotencyKey: randomUUID(),
    });
    otpMs.push(performance.now() - t);
    const orderCode = otp.data.requestOtp?.order?.orderCode;
    if (!orderCode) {
      failures++;
      continue;
    }
    t = performance.now();
    const reg = await gql(REGISTER, { orderCode, otp: '123456', idempotencyKey: randomUUID() });
    registerMs.push(performance.now() - t);
    if (reg.data.registerWithOtp?.__typename !== 'RegisterWithOtpSuccess') failures++;
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]?.toFixed(1);
};

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
const mem = process.memoryUsage();
console.log(
  JSON.stringify(
    {
      database: config.database.kind,
      sales: total,
      concurrency,
      failures,
      seconds: Number(seconds.toFixed(2)),
      salesPerSecond: Number((total / seconds).toFixed(1)),
      requestOtpMs: { p50: pct(otpMs, 50), p95: pct(otpMs, 95), p99: pct(otpMs, 99) },
      registerWithOtpMs: {
        p50: pct(registerMs, 50),
        p95: pct(registerMs, 95),
        p99: pct(registerMs, 99),
      },
      rssMiB: Math.round(mem.rss / 1048576),
      heapUsedMiB: Math.round(mem.heapUsed / 1048576),
    },
    null,
    2,
  ),
);
await gateway.close();
rmSync(dir, { recursive: true, force: true });
