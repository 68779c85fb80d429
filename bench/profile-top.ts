import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `BENCH_CPU_PROF=<dir> npm run bench`):
 * self time by package or source file, and the top functions by self time.
 *   node --import tsx bench/profile-top.ts <file.cpuprofile> [rows]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: bench/profile-top.ts <file.cpuprofile> [rows]');
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** Where a frame's code lives: an npm package, one of our files, Node's own, or V8's states. */
function owner(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const ours = /\/(dist|src)\/(.+)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

const selfByFunction = new Map<string, number>();
const selfByOwner = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]!);
  const dt = profile.timeDeltas[i] ?? 0;
  if (!node) continue;
  total += dt;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = owner(url, functionName);
  const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + dt);
  selfByOwner.set(where, (selfByOwner.get(where) ?? 0) + dt);
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const top = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, v]) => `${pct(v)}  ${k}`)
    .join('\n');
process.stdout.write(
  `${(total / 1e6).toFixed(1)} s sampled\n\nself time by package or file:\n${top(selfByOwner)}\n\nself time by function:\n${top(selfByFunction)}\n`,
);
