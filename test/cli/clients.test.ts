import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runClientsCommand } from '../../src/cli/clients-command.js';
import { ClientStore } from '../../src/store/clients.js';
import { openDatabase } from '../../src/store/database.js';

/** `npm run clients -- ...`, against a database file of its own. */

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gateway-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = {
  DATABASE_URL: join(dir, 'clients.sqlite'),
  GATEWAY_SECRET: 'cli-test-secret-of-at-least-32-characters',
};

/** The command in process, with what it printed. */
async function cli(...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runClientsCommand(args, {
    env,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

const lastLine = (s: string) => s.trim().split('\n').at(-1)!;
const KEY = /^tgw_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/;

describe('npm run clients', () => {
  it('prints the new key alone on the last line of stdout, as a process', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/clients.ts',
        'create',
        '--name',
        'pos-proc',
        '--scopes',
        'sales',
      ],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } },
    );
    expect(stdout.endsWith('\n')).toBe(true);
    expect(lastLine(stdout)).toMatch(KEY);
  });

  it('creates, lists, adds, revokes, disables and enables', async () => {
    const created = await cli('create', '--name', 'pos-hanoi-01', '--scopes', 'sales,ledger');
    expect(created.code).toBe(0);
    const key = lastLine(created.stdout);
    expect(key).toMatch(KEY);

    const second = lastLine((await cli('add-key', '--name', 'pos-hanoi-01')).stdout);
    expect(second).toMatch(KEY);
    expect(second).not.toBe(key);

    const listed = await cli('list');
    expect(listed.stdout).toContain('pos-hanoi-01\tenabled\tsales,ledger');
    expect(listed.stdout).toContain(`key ${key.slice(4, 16)}`);
    expect(listed.stdout).not.toContain(key.slice(17));

    const db = openDatabase({ kind: 'sqlite', path: env.DATABASE_URL });
    const store = new ClientStore(db, env.GATEWAY_SECRET);
    try {
      expect((await store.authenticate(key))?.name).toBe('pos-hanoi-01');
      expect(await cli('revoke-key', '--key', key)).toMatchObject({ code: 0 });
      expect(await store.authenticate(key)).toBeNull();
      expect((await store.authenticate(second))?.scopes).toEqual(['sales', 'ledger']);
      expect(await cli('disable', '--name', 'pos-hanoi-01')).toMatchObject({ code: 0 });
      expect(await store.authenticate(second)).toBeNull();
      expect((await cli('list')).stdout).toContain('pos-hanoi-01\tDISABLED');
      expect(await cli('enable', '--name', 'pos-hanoi-01')).toMatchObject({ code: 0 });
      expect((await store.authenticate(second))?.name).toBe('pos-hanoi-01');
    } finally {
      await db.close();
    }
  });

  it('refuses unknown scopes, a taken name and unknown clients, with usage', async () => {
    expect(await cli('create', '--name', 'x', '--scopes', 'sales,root')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--scopes: unknown root'),
    });
    await cli('create', '--name', 'dup', '--scopes', 'sales');
    expect(await cli('create', '--name', 'dup', '--scopes', 'sales')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('a client named dup exists already'),
    });
    expect(await cli('add-key', '--name', 'nobody')).toMatchObject({
      code: 1,
      stderr: 'no client named nobody',
    });
    expect(await cli('revoke-key', '--key', 'nonsense')).toMatchObject({ code: 2 });
    expect(await cli('frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage: npm run clients'),
    });
  });
});
