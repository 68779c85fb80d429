import { Pool } from 'undici';

/**
 * One connection, one request after another, for `seconds`: the latency of a single call, in a
 * process of its own. Prints one JSON line: count, errors, mean, p50, p99 (milliseconds).
 *   node --import tsx bench/load-latency.ts <seconds> <url> <json body> [<json headers>]
 */
const [seconds, url, body, headers] = process.argv.slice(2);
const target = new URL(url!);
const pool = new Pool(target.origin, { connections: 1 });
const extra = headers ? (JSON.parse(headers) as Record<string, string>) : {};
const deadline = Date.now() + Number(seconds) * 1000;
const times: number[] = [];
let errors = 0;
while (Date.now() < deadline) {
  const started = performance.now();
  try {
    const res = await pool.request({
      method: 'POST',
      path: target.pathname,
      headers: { 'content-type': 'application/json', ...extra },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.includes('"errors"')) errors += 1;
    else times.push(performance.now() - started);
  } catch {
    errors += 1;
  }
}
await pool.close();
times.sort((a, b) => a - b);
const pct = (p: number) =>
  times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
process.stdout.write(
  `${JSON.stringify({ count: times.length, errors, mean, p50: pct(50), p99: pct(99) })}\n`,
);
