import { runVoiceGuardCommand } from './voice-guard-command.js';

/** `npm run voice-guard -- list|lift PREFIX`: see src/cli/voice-guard-command.ts. */
process.exitCode = await runVoiceGuardCommand(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
