import { userInfo } from 'node:os';
import { ConfigError, loadConfig } from '../config.js';
import { GUARD_PREFIX_DIGITS, isGuardPrefix } from '../domain/voice-limits.js';
import { openDatabase } from '../store/database.js';
import { VoiceGuardStore } from '../store/voice-guard.js';
import type { CommandIO } from './clients-command.js';

/**
 * `npm run voice-guard -- <command>` (src/cli/voice-guard.ts): the number prefixes the voice
 * fraud guard blocks, in the configured database (DATABASE_URL), and lifting one.
 */

const USAGE = `Usage: npm run voice-guard -- <command>
  list              prefixes blocked now: prefix, unconverted calls, since, until
  lift PREFIX       ends a prefix's block now (its unconverted calls so far stop counting)
A prefix is the first ${GUARD_PREFIX_DIGITS} digits of the local form, e.g. 09360.`;

/** Runs one command; returns the exit code (0 done, 1 not blocked, 2 usage or configuration). */
export async function runVoiceGuardCommand(argv: string[], io: CommandIO): Promise<number> {
  const [command, prefix, ...extra] = argv;
  const usage = (message: string) => {
    io.err(`${message}\n\n${USAGE}`);
    return 2;
  };
  if (command !== 'list' && command !== 'lift') {
    return usage(command ? `unknown command ${command}` : 'a command is needed');
  }
  if (command === 'lift' && (!prefix || !isGuardPrefix(prefix))) {
    return usage(`lift: a prefix of ${GUARD_PREFIX_DIGITS} digits starting with 0, e.g. 09360`);
  }
  if (extra.length > 0 || (command === 'list' && prefix)) return usage('too many arguments');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(err.message);
    return 2;
  }
  const database = openDatabase(config.database, { pool: config.databasePool });
  try {
    await database.migrate();
    const guard = new VoiceGuardStore(database);
    if (command === 'list') {
      const blocks = await guard.active();
      if (blocks.length === 0) io.out('no prefix is blocked');
      for (const b of blocks) {
        io.out(`${b.prefix}\t${b.unconverted} unconverted\tsince ${b.blockedAt}\tuntil ${b.until}`);
      }
      return 0;
    }
    const by = io.env.USER ?? safeUser();
    if ((await guard.lift(prefix!, by)) === 0) {
      io.err(`${prefix} is not blocked`);
      return 1;
    }
    io.out(`lifted the block on ${prefix}`);
    return 0;
  } finally {
    await database.close();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}
