import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVoiceGuardCommand } from '../../src/cli/voice-guard-command.js';
import { openDatabase } from '../../src/store/database.js';

/** `npm run voice-guard -- ...`, against a database file of its own. */

const dir = mkdtempSync(join(tmpdir(), 'gateway-voice-guard-'));
const env = { DATABASE_URL: join(dir, 'guard.sqlite'), USER: 'ops-alice' };

async function cli(...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runVoiceGuardCommand(args, {
    env,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

beforeAll(async () => {
  const database = openDatabase({ kind: 'sqlite', path: env.DATABASE_URL });
  await database.migrate();
  const far = new Date(Date.now() + 3_600_000).toISOString();
  const past = new Date(Date.now() - 3_600_000).toISOString();
  await database.db
    .insertInto('voice_prefix_blocks')
    .values([
      {
        id: 'b1',
        prefix: '09361',
        unconverted: 21,
        blocked_at: '2026-11-23T01:00:00.000Z',
        until: far,
        lifted_at: null,
        lifted_by: null,
      },
      {
        id: 'b0',
        prefix: '09362',
        unconverted: 20,
        blocked_at: '2026-11-22T01:00:00.000Z',
        until: past,
        lifted_at: null,
        lifted_by: null,
      },
    ])
    .execute();
  await database.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run voice-guard', () => {
  it('lists the blocks in force, lifts one, and says when a prefix is not blocked', async () => {
    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')).toEqual([
      expect.stringMatching(/^09361\t21 unconverted\tsince 2026-11-23T01:00:00.000Z\tuntil /),
    ]);
    expect(await cli('lift', '09361')).toMatchObject({
      code: 0,
      stdout: 'lifted the block on 09361',
    });
    expect(await cli('list')).toMatchObject({ code: 0, stdout: 'no prefix is blocked' });
    expect(await cli('lift', '09361')).toMatchObject({ code: 1, stderr: '09361 is not blocked' });

    const database = openDatabase({ kind: 'sqlite', path: env.DATABASE_URL });
    const row = await database.db
      .selectFrom('voice_prefix_blocks')
      .selectAll()
      .where('id', '=', 'b1')
      .executeTakeFirstOrThrow();
    await database.close();
    expect(row.lifted_by).toBe('ops-alice');
  });

  it('answers a usage error with exit code 2', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('drop')).code).toBe(2);
    const bad = await cli('lift', '0936');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a prefix of 5 digits');
  });
});
