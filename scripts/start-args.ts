import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `node` arguments of `npm start` (package.json), so that the process tests and the bench
 * run the gateway exactly as `npm start` does, its V8 flags included.
 */
export function startArgs(root: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = scripts.start.trim().split(/\s+/);
  if (command !== 'node')
    throw new Error(`npm start is not a plain node command: ${scripts.start}`);
  return args;
}
