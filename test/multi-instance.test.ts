import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../src/store/clients.js';
import { openDatabase } from '../src/store/database.js';
import { createDmallSimulator } from '../src/vendors/dmall/simulator.js';
import { REGISTER_PATH } from '../src/vendors/dmall/wire.js';
import { REGISTER, REQUEST_OTP, type Result } from './helpers/sales.js';

/**
 * Two gateway processes behind one (imagined) load balancer, sharing one PostgreSQL database, one
 * Redis and one dmall (a simulator both point at): they must behave as one gateway.
 */

const DB_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
if (!DB_URL || !REDIS_URL) {
  console.warn('multi-instance: skipped (needs TEST_DATABASE_URL and TEST_REDIS_URL)');
}

const root = new URL('..', import.meta.url).pathname;
const API_KEY = 'multi-instance-key';
const SECRET = 'multi-instance-secret-of-32-characters!!';
/** dmall is real to these gateways, so every request needs a client's API key. */
let bearer = '';

interface Instance {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
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
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = /GraphiQL: (http:\/\/127\.0\.0\.1:\d+\/graphql)/;
  for (let waited = 0; !ready.test(output); waited += 100) {
    if (waited > 20_000 || child.exitCode !== null) {
      throw new Error(`gateway did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: /GraphiQL: (\S+)/.exec(output)![1]!, output: () => output, exited };
}

async function graphql<T>(
  instance: Instance,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const res = await fetch(instance.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: bearer },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

const requestOtp = (i: Instance, phone: string, packageCode: string, key = randomUUID()) =>
  graphql<{ requestOtp: Result }>(i, REQUEST_OTP, {
    input: { phone, packageCode, idempotencyKey: key },
  }).then((d) => d.requestOtp);
const register = (i: Instance, orderCode: string, key = randomUUID()) =>
  graphql<{ registerWithOtp: Result }>(i, REGISTER, {
    input: { orderCode, otp: '123456', idempotencyKey: key },
  }).then((d) => d.registerWithOtp);

/** Streams `orderUpdated` statuses from one instance over SSE. */
async function watch(instance: Instance, orderCode: string) {
  const controller = new AbortController();
  const res = await fetch(instance.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: bearer,
    },
    body: JSON.stringify({
      query: 'subscription ($c: String!) { orderUpdated(orderCode: $c) { status } }',
      variables: { c: orderCode },
    }),
    signal: controller.signal,
  });
  const statuses: string[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        const status = data && JSON.parse(data.slice(6)).data?.orderUpdated?.status;
        if (status) statuses.push(status);
      }
    }
  })().catch(() => {});
  return {
    statuses,
    async stop() {
      controller.abort();
      await pump;
    },
  };
}

describe.skipIf(!DB_URL || !REDIS_URL)('two instances sharing PostgreSQL and Redis', () => {
  const database = `gw_multi_${randomBytes(5).toString('hex')}`;
  const sim = createDmallSimulator({ apiKey: API_KEY, hangMs: 60_000 });
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: DB_URL });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();
    const dbUrl = new URL(DB_URL!);
    dbUrl.pathname = `/${database}`;
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: REDIS_URL!,
      DMALL_BASE_URL: await sim.listen(),
      DMALL_API_KEY: API_KEY,
      // Every vendor quick, so a request cut short by a kill is settled within seconds.
      DMALL_TIMEOUT_MS: '1000',
      VASCLOUD_TIMEOUT_MS: '1000',
      VOICE_OTP_TIMEOUT_MS: '1000',
      ESMS_TIMEOUT_MS: '1000',
      SWEEP_INTERVAL_MS: '500',
      SWEEP_GRACE_MS: '1000',
      OTP_LIMIT_PER_CLIENT_MINUTE: '1000',
      GATEWAY_SECRET: SECRET,
    };
    // One after the other: the first applies the migrations, the second finds them applied.
    a = await startInstance(env);
    b = await startInstance(env);
    const db = openDatabase({ kind: 'postgres', url: dbUrl.toString() });
    try {
      const { key } = await new ClientStore(db, SECRET).create('pos-multi', ['sales', 'ledger']);
      bearer = `Bearer ${key}`;
    } finally {
      await db.close();
    }
  }, 60_000);

  afterAll(async () => {
    for (const i of [a, b]) {
      if (i && i.child.exitCode === null && i.child.signalCode === null) {
        i.child.kill('SIGTERM');
        await i.exited;
      }
    }
    await sim.close();
    const admin = new pg.Client({ connectionString: DB_URL });
    await admin.connect();
    await admin.query(`drop database if exists "${database}" with (force)`);
    await admin.end();
  });

  it('counts the per-phone OTP limit across both', async () => {
    const phone = '0936000401';
    const first = await requestOtp(a, phone, 'C120');
    expect(first.__typename).toBe('RequestOtpSuccess');
    expect((await register(b, first.order!.orderCode)).__typename).toBe('RegisterWithOtpSuccess');
    expect((await requestOtp(b, phone, '3C120')).__typename).toBe('RequestOtpSuccess');
    expect((await requestOtp(a, phone, '6C120')).__typename).toBe('RequestOtpSuccess');
    // The fourth in ten minutes, whichever instance takes it.
    expect(await requestOtp(b, phone, 'C120')).toMatchObject({
      __typename: 'OtpRateLimited',
      limit: 'PHONE_PER_10_MINUTES',
    });
  });

  it('makes one vendor call for 20 concurrent registerWithOtp with one key over both', async () => {
    const { order } = await requestOtp(a, '0936000402', 'C120');
    const before = sim.callsTo(REGISTER_PATH).length;
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => register(n % 2 ? a : b, order!.orderCode, key)),
    );
    expect(sim.callsTo(REGISTER_PATH).length).toBe(before + 1);
    expect(new Set(results.map((r) => `${r.__typename}:${r.order?.status}`))).toEqual(
      new Set(['RegisterWithOtpSuccess:REGISTERED']),
    );
  });

  it('delivers an update made through B to a subscriber on A', async () => {
    const { order } = await requestOtp(b, '0936000403', 'C120');
    const watcher = await watch(a, order!.orderCode);
    try {
      // A's stream opens with the order as it stands; Redis has the subscription a moment later.
      await expect.poll(() => watcher.statuses, { timeout: 5_000 }).toEqual(['OTP_SENT']);
      await new Promise((r) => setTimeout(r, 200));
      expect((await register(b, order!.orderCode)).__typename).toBe('RegisterWithOtpSuccess');
      await expect
        .poll(() => watcher.statuses, { timeout: 5_000 })
        .toEqual(['OTP_SENT', 'REGISTERING', 'REGISTERED']);
    } finally {
      await watcher.stop();
    }
  });

  it('loses no order when one is killed mid-registration: the survivor settles it', async () => {
    // 0000005: dmall registers the package, then its reply never comes.
    const { order } = await requestOtp(a, '0930000005', 'C120');
    const before = sim.callsTo(REGISTER_PATH).length;
    const pending = register(a, order!.orderCode).catch((e: Error) => e);
    await expect.poll(() => sim.callsTo(REGISTER_PATH).length, { timeout: 5_000 }).toBe(before + 1);
    a.child.kill('SIGKILL');
    await a.exited;
    expect(await pending).toBeInstanceOf(Error);

    // The row says a registration was in flight; B's sweeper settles it as UNKNOWN.
    const status = async () =>
      (
        await graphql<{ order: { status: string } }>(
          b,
          'query ($c: String!) { order(code: $c) { status } }',
          {
            c: order!.orderCode,
          },
        )
      ).order.status;
    expect(await status()).toBe('REGISTERING');
    await expect.poll(status, { timeout: 10_000, interval: 250 }).toBe('UNKNOWN');
    await expect.poll(() => b.output(), { timeout: 2_000 }).toContain('settled stale orders');
    // Registering again through B learns from dmall that the first call went through.
    expect(await register(b, order!.orderCode)).toMatchObject({
      __typename: 'RegisterWithOtpSuccess',
      order: { status: 'REGISTERED' },
    });
  });
});
