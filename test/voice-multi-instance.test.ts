import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../src/store/clients.js';
import { openDatabase } from '../src/store/database.js';
import { createVoiceOtpSimulator } from '../src/vendors/voice-otp/simulator.js';
import { POST_SMS_PATH } from '../src/vendors/voice-otp/wire.js';

/**
 * Two gateway processes sharing one PostgreSQL database, one Redis and one voice OTP vendor (a
 * simulator both point at): the per-phone call cap is one count across them and their clients.
 */

const DB_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
if (!DB_URL || !REDIS_URL) {
  console.warn('voice multi-instance: skipped (needs TEST_DATABASE_URL and TEST_REDIS_URL)');
}

const root = new URL('..', import.meta.url).pathname;
const SECRET = 'voice-multi-instance-secret-of-32-chars!!';
const CREDENTIALS = { username: 'vm-user', password: 'vm-pass', key: 'vm-key', sender: 'DAUSO1' };

interface Instance {
  child: ChildProcess;
  url: string;
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
  return { child, url: ready.exec(output)![1]!, exited };
}

const SEND = `mutation ($input: SendVoiceOtpInput!) {
  sendVoiceOtp(input: $input) { __typename ... on VoiceCallRateLimited { callLimit } } }`;
const START = `mutation ($input: StartPhoneVerificationInput!) {
  startPhoneVerification(input: $input) {
    __typename ... on VoiceCallRateLimited { callLimit } ... on VerificationRateLimited { limit } } }`;

type Answer = { __typename: string; callLimit?: string; limit?: string };

async function answer(
  instance: Instance,
  bearer: string,
  query: string,
  input: Record<string, unknown>,
): Promise<Answer> {
  const res = await fetch(instance.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: bearer },
    body: JSON.stringify({ query, variables: { input } }),
  });
  const body = (await res.json()) as {
    data?: Record<string, Answer>;
    errors?: unknown;
  };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return Object.values(body.data!)[0]!;
}

describe.skipIf(!DB_URL || !REDIS_URL)('voice calls on two instances', () => {
  const database = `gw_voice_${randomBytes(5).toString('hex')}`;
  const sim = createVoiceOtpSimulator({ ...CREDENTIALS, settleAfterMs: 60_000 });
  const instances: Instance[] = [];
  const bearers: string[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: DB_URL });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();
    const dbUrl = new URL(DB_URL!);
    dbUrl.pathname = `/${database}`;
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: REDIS_URL!,
      VOICE_OTP_BASE_URL: await sim.listen(),
      VOICE_OTP_USERNAME: CREDENTIALS.username,
      VOICE_OTP_PASSWORD: CREDENTIALS.password,
      VOICE_OTP_KEY: CREDENTIALS.key,
      VOICE_OTP_SENDER: CREDENTIALS.sender,
      GATEWAY_SECRET: SECRET,
    };
    // One after the other: the first applies the migrations, the second finds them applied.
    instances.push(await startInstance(env));
    instances.push(await startInstance(env));
    const db = openDatabase({ kind: 'postgres', url: dbUrl.toString() });
    try {
      const clients = new ClientStore(db, SECRET);
      for (const name of ['shop-a', 'shop-b']) {
        bearers.push(`Bearer ${(await clients.create(name, ['voice', 'verify'])).key}`);
      }
    } finally {
      await db.close();
    }
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) {
      if (i.child.exitCode === null && i.child.signalCode === null) {
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

  it('places exactly the per-phone cap of 20 concurrent calls to one phone from two clients', async () => {
    const phone = '0936007701';
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) => {
        const instance = instances[n % 2]!;
        const bearer = bearers[Math.floor(n / 2) % 2]!;
        return n % 3 === 0
          ? answer(instance, bearer, START, {
              phone,
              channel: 'VOICE',
              idempotencyKey: randomUUID(),
            })
          : answer(instance, bearer, SEND, {
              phone,
              // Different digits each: the vendor refuses the same digits to one number.
              code: String(100 + n),
              idempotencyKey: randomUUID(),
            });
      }),
    );
    const placed = answers.filter((a) => a.__typename.endsWith('Success'));
    expect(placed).toHaveLength(3);
    const posted = sim.callsTo(POST_SMS_PATH).filter((r) => JSON.parse(r.body).phonesend === phone);
    expect(posted).toHaveLength(3);
    // Every other one was refused before the vendor: by the cap, or (should the three placed be
    // one client's verification calls) a restart of that verification by its own send limit.
    for (const a of answers.filter((x) => !x.__typename.endsWith('Success'))) {
      expect([
        'VoiceCallRateLimited:PHONE_PER_10_MINUTES',
        'VerificationRateLimited:SENDS_PER_VERIFICATION',
      ]).toContain(`${a.__typename}:${a.callLimit ?? a.limit}`);
    }
    expect(answers.filter((a) => a.__typename === 'VoiceCallRateLimited').length).toBeGreaterThan(
      0,
    );
  }, 30_000);
});
