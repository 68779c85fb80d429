import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { isScope, SCOPES, type Scope } from '../domain/scopes.js';
import { ClientStore } from '../store/clients.js';
import { openDatabase } from '../store/database.js';

/**
 * `npm run clients -- <command>` (src/cli/clients.ts): manages API clients and keys in the configured database
 * (DATABASE_URL, GATEWAY_SECRET as the gateway reads them). `create` and `add-key` print the new
 * key once, alone on the last line of stdout; it is not stored and cannot be shown again.
 */

const USAGE = `Usage: npm run clients -- <command>
  create --name NAME --scopes SCOPE[,SCOPE...]   a client and its first key
  list                                            clients, scopes and keys (ids only)
  add-key --name NAME                             another key for a client (rotation)
  revoke-key --key KEY_ID                         a key stops working (its id, or the whole key)
  disable --name NAME | enable --name NAME        every key of a client stops / works again
Scopes: ${Object.keys(SCOPES).join(', ')}`;

const NAME = /^[A-Za-z0-9._:-]{1,64}$/;

class UsageError extends Error {}

export interface CommandIO {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command; returns the exit code (0 done, 1 not found, 2 usage or configuration). */
export async function runClientsCommand(argv: string[], io: CommandIO): Promise<number> {
  try {
    return await main(argv, io);
  } catch (err) {
    if (
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
}

async function main(argv: string[], io: CommandIO): Promise<number> {
  const { out } = io;
  const notFound = (message: string) => {
    io.err(message);
    return 1;
  };
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, key: { type: 'string' } },
    strict: true,
  });
  const name = () => {
    if (!values.name || !NAME.test(values.name)) {
      throw new UsageError('--name: 1 to 64 of letters, digits and ._:-');
    }
    return values.name;
  };

  const config = loadConfig(io.env);
  const database = openDatabase(config.database, { pool: config.databasePool });
  try {
    await database.migrate();
    const clients = new ClientStore(database, config.secret);
    switch (command) {
      case 'create': {
        const scopes = (values.scopes ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = scopes.filter((s) => !isScope(s));
        if (scopes.length === 0 || unknown.length > 0) {
          throw new UsageError(
            `--scopes: ${unknown.length ? `unknown ${unknown.join(', ')}` : 'at least one'} (known: ${Object.keys(SCOPES).join(', ')})`,
          );
        }
        const n = name();
        if (await clients.find(n)) throw new UsageError(`a client named ${n} exists already`);
        const { client, key } = await clients.create(n, scopes as Scope[]);
        out(`created client ${client.name} with scopes ${client.scopes.join(',')}`);
        out('its key (shown once; store it now):');
        out(key);
        return 0;
      }
      case 'list': {
        for (const c of await clients.list()) {
          out(`${c.name}\t${c.disabled ? 'DISABLED' : 'enabled'}\t${c.scopes.join(',')}`);
          for (const k of c.keys) {
            out(
              `  key ${k.id}\tcreated ${k.createdAt}${k.revokedAt ? `\trevoked ${k.revokedAt}` : ''}`,
            );
          }
        }
        return 0;
      }
      case 'add-key': {
        const key = await clients.addKey(name());
        if (!key) return notFound(`no client named ${values.name}`);
        out(
          `new key for ${values.name} (shown once; store it now; the old keys keep working until revoked):`,
        );
        out(key);
        return 0;
      }
      case 'revoke-key': {
        const id = /^(?:tgw_)?([A-Za-z0-9]{12})(?:\..*)?$/.exec(values.key ?? '')?.[1];
        if (!id) throw new UsageError('--key: the key id (12 letters and digits) or the whole key');
        if (!(await clients.revokeKey(id))) return notFound(`no active key ${id}`);
        out(`revoked key ${id}`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const n = name();
        if (!(await clients.setDisabled(n, command === 'disable'))) {
          return notFound(`no client named ${n}`);
        }
        out(`${command}d client ${n}`);
        return 0;
      }
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'a command is needed');
    }
  } finally {
    await database.close();
  }
}
