import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';

/**
 * The write-path load, in a process of its own: `concurrency` clients each run complete sales
 * (requestOtp, then registerWithOtp with the sandbox OTP) against one or more gateway URLs for
 * `seconds`, and print one JSON line: sales, errors, sales/s and latency percentiles per sale.
 *   node --import tsx bench/load-sales.ts <seconds> <concurrency> <phoneBase> <apiKey> <url> [url...]
 */
const [seconds, concurrency, phoneBase, apiKey, ...urls] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
const pools = urls.map((u) => ({
  pool: new Pool(new URL(u).origin, { connections: 64 }),
  path: new URL(u).pathname,
}));

const REQUEST = `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
  __typename ... on RequestOtpSuccess { order { orderCode } } } }`;
const REGISTER = `mutation ($input: RegisterWithOtpInput!) { registerWithOtp(input: $input) {
  __typename } }`;

async function gql(target: (typeof pools)[number], query: string, input: Record<string, unknown>) {
  const res = await target.pool.request({
    method: 'POST',
    path: target.path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables: { input } }),
  });
  return (await res.body.json()) as {
    data?: Record<string, { __typename: string; order?: { orderCode: string } }>;
  };
}

let next = 0;
let errors = 0;
/** The first failures, as the gateway answered them: the bench prints and records them. */
const errorSamples: string[] = [];
const latencies: number[] = [];
async function client(n: number) {
  while (Date.now() < deadline) {
    const i = next++;
    // Distinct MobiFone numbers (090 + 7 digits), so no phone limit or open-OTP rule is hit.
    const phone = `090${String(Number(phoneBase) + i).padStart(7, '0')}`;
    const target = pools[(n + i) % pools.length]!;
    const started = performance.now();
    try {
      const otp = await gql(target, REQUEST, {
        phone,
        packageCode: 'C120',
        idempotencyKey: randomUUID(),
      });
      const orderCode = otp.data?.requestOtp?.order?.orderCode;
      if (!orderCode) throw new Error(JSON.stringify(otp));
      const other = pools[(n + i + 1) % pools.length]!;
      const reg = await gql(other, REGISTER, {
        orderCode,
        otp: '123456',
        idempotencyKey: randomUUID(),
      });
      if (reg.data?.registerWithOtp?.__typename !== 'RegisterWithOtpSuccess') {
        throw new Error(JSON.stringify(reg));
      }
      latencies.push(performance.now() - started);
    } catch (err) {
      errors += 1;
      if (errorSamples.length < 3) errorSamples.push(String((err as Error).message).slice(0, 500));
    }
  }
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: Number(concurrency) }, (_, n) => client(n)));
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    sales: latencies.length,
    errors,
    salesPerSecond: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
    errorSamples,
    /** This process's own CPU time during the load (user + system), in seconds. */
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    elapsedSeconds: elapsed,
  })}\n`,
);
await Promise.all(pools.map((p) => p.pool.close()));
