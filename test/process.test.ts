import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArgs } from '../scripts/start-args.js';

/**
 * `npm start` as an operator runs it: the compiled build (`npm run build`, which `npm start` runs
 * first) in a real process started with `npm start`'s node flags, with real signals and real
 * exit codes.
 */

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gateway-proc-'));
beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string>): ChildProcess & { output: () => string } {
  let output = '';
  const child = spawn(process.execPath, startArgs(root), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return Object.assign(child, { output: () => output });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('the server process', () => {
  it('prints the GraphiQL URL, serves, and exits 0 on SIGTERM after closing everything', async () => {
    const child = start({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: join(dir, 'a.sqlite') });
    const exit = exited(child);
    await expect
      .poll(() => child.output(), { timeout: 15_000, interval: 100 })
      .toMatch(/GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const url = /GraphiQL: (\S+)/.exec(child.output())![1]!;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ subscriber(phone: "0936004420") { telco } }' }),
    });
    expect(await res.json()).toEqual({ data: { subscriber: { telco: 'MOBIFONE' } } });
    expect(child.output()).toContain('SANDBOX: dmall is served by its in-process simulator');

    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(child.output()).toContain('shutdown complete');
  });

  it('on SIGTERM finishes a request in flight, ends live streams, and exits 0', async () => {
    const child = start({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: join(dir, 'b.sqlite'),
      DMALL_TIMEOUT_MS: '1500',
    });
    const exit = exited(child);
    await expect
      .poll(() => child.output(), { timeout: 15_000, interval: 100 })
      .toMatch(/GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const url = /GraphiQL: (\S+)/.exec(child.output())![1]!;
    const post = (body: unknown, accept = 'application/json') =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify(body),
      });

    // A screen waiting on an order (an SSE stream that never ends by itself).
    const sold = await post({
      query: `mutation { requestOtp(input: { phone: "0936000501", packageCode: "C120", idempotencyKey: "proc-test-0001" }) { ... on RequestOtpSuccess { order { orderCode } } } }`,
    });
    const orderCode = (
      (await sold.json()) as { data: { requestOtp: { order: { orderCode: string } } } }
    ).data.requestOtp.order.orderCode;
    const stream = await post(
      { query: `subscription { orderUpdated(orderCode: "${orderCode}") { status } }` },
      'text/event-stream',
    );
    const streamText = stream.text();

    // A sale whose vendor call hangs until the 1.5 s timeout: in flight when SIGTERM arrives.
    const inFlight = post({
      query: `mutation { requestOtp(input: { phone: "0930000003", packageCode: "C120", idempotencyKey: "proc-test-0002" }) { __typename ... on VendorUnavailable { outcomeUnknown } } }`,
    });
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');

    expect(await (await inFlight).json()).toEqual({
      data: { requestOtp: { __typename: 'VendorUnavailable', outcomeUnknown: true } },
    });
    expect(await streamText).toContain('OTP_SENT');
    expect(await exit).toBe(0);
    expect(child.output()).toContain('shutdown complete');
  });

  it('exits non-zero on bad config, naming every bad variable', async () => {
    const child = start({ PORT: 'abc', DMALL_BASE_URL: 'not-a-url' });
    expect(await exited(child)).toBe(2);
    expect(child.output()).toMatch(/PORT: /);
    expect(child.output()).toMatch(/DMALL_BASE_URL: /);
    expect(child.output()).not.toContain('not-a-url');
  });
});
