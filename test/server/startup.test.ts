import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';

/** `npm start` against a database that is not there: retries, says where, exits cleanly. */

const root = new URL('../..', import.meta.url).pathname;

it('retries an unreachable database with backoff, logs JSON naming the host, then exits 1', async () => {
  const port = await closedPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: `postgres://gateway:s3cret-pw@127.0.0.1:${port}/gateway`,
      DATABASE_START_TIMEOUT_MS: '1500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

  expect(code).toBe(1);
  expect(output).not.toContain('s3cret-pw');
  expect(output).not.toMatch(/^\s+at /m);
  const lines = output
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const retries = lines.filter((l) => l.msg === 'database unreachable at start-up; retrying');
  expect(retries.length).toBeGreaterThanOrEqual(2);
  expect(retries[0]).toMatchObject({
    level: 40,
    attempt: 1,
    database: { kind: 'postgres', host: '127.0.0.1', port, database: 'gateway' },
    err: expect.stringContaining('ECONNREFUSED'),
  });
  // Backoff: each wait is longer than the one before (until the deadline cuts it).
  expect(retries[1]!.retryInMs as number).toBeGreaterThan(retries[0]!.retryInMs as number);
  expect(lines.at(-1)).toMatchObject({
    level: 60,
    database: { host: '127.0.0.1' },
    msg: expect.stringContaining('database unreachable for 1500 ms; exiting'),
  });
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}
