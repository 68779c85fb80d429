import { runClientsCommand } from './clients-command.js';

/** `npm run clients -- <command>`: see src/cli/clients-command.ts. */
process.exitCode = await runClientsCommand(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
