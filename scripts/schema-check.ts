import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BreakingChange,
  buildSchema,
  findBreakingChanges,
  type GraphQLSchema,
  parse,
  validate,
} from 'graphql';

/**
 * The breaking-change check (`npm run schema:check`, part of `npm test`): compares
 * `schema/schema.graphql` with its version at the base (the newest `v*` release tag, else the
 * previous commit) and validates every client document (`operations/*.graphql` and the
 * trusted-documents manifest) against the new schema. A breaking change fails unless the
 * newest section of `CHANGELOG.md` names what it breaks (`` `Type` `` or `` `Type.field` ``);
 * a document that no longer validates always fails: an app that ships it would break.
 */

export interface SchemaCheckInput {
  /** The schema at the base, as SDL; null when the base has none (nothing to compare). */
  oldSdl: string | null;
  newSdl: string;
  changelog: string;
  /** Client documents by name (a file, or a manifest hash). */
  documents: ReadonlyArray<{ name: string; source: string }>;
}

export interface SchemaCheckResult {
  breaking: Array<{ change: BreakingChange; subject: string; listed: boolean }>;
  invalid: Array<{ name: string; errors: string[] }>;
  ok: boolean;
}

/** The newest release's section of the changelog: from the first `## ` heading to the next. */
export function newestSection(changelog: string): string {
  const start = changelog.indexOf('\n## ');
  if (start < 0) return '';
  const next = changelog.indexOf('\n## ', start + 1);
  return changelog.slice(start, next < 0 ? undefined : next);
}

/** What a breaking change is about: `Type.field`, `Type` or an enum value, as it names it. */
export function subjectOf(change: BreakingChange): string {
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?/.exec(change.description)?.[0] ?? '';
}

export function checkSchemaChange(input: SchemaCheckInput): SchemaCheckResult {
  const next = buildSchema(input.newSdl);
  const section = newestSection(input.changelog);
  const breaking = input.oldSdl
    ? findBreakingChanges(buildSchema(input.oldSdl), next).map((change) => {
        const subject = subjectOf(change);
        return { change, subject, listed: subject !== '' && section.includes(`\`${subject}\``) };
      })
    : [];
  const invalid = input.documents.flatMap(({ name, source }) => {
    const errors = validateDocument(next, source);
    return errors.length > 0 ? [{ name, errors }] : [];
  });
  return { breaking, invalid, ok: breaking.every((b) => b.listed) && invalid.length === 0 };
}

function validateDocument(schema: GraphQLSchema, source: string): string[] {
  try {
    return validate(schema, parse(source)).map((e) => e.message);
  } catch (err) {
    return [(err as Error).message];
  }
}

/** The base to compare with: the newest `v*` tag reachable from HEAD, else the previous commit. */
function baseRevision(root: string): string | null {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    return git('describe', '--tags', '--abbrev=0', '--match', 'v*');
  } catch {
    try {
      return git('rev-parse', '--verify', 'HEAD~1');
    } catch {
      return null;
    }
  }
}

function readAt(root: string, revision: string, path: string): string | null {
  try {
    return execFileSync('git', ['show', `${revision}:${path}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 << 20,
    });
  } catch {
    return null;
  }
}

function main() {
  const root = new URL('..', import.meta.url).pathname;
  const base = baseRevision(root);
  const documents = readdirSync(join(root, 'operations'))
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => ({
      name: `operations/${f}`,
      source: readFileSync(join(root, 'operations', f), 'utf8'),
    }));
  const manifest = join(root, 'generated/client/persisted-documents.json');
  if (existsSync(manifest)) {
    for (const [hash, source] of Object.entries(
      JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>,
    )) {
      documents.push({ name: `manifest ${hash.slice(0, 19)}`, source });
    }
  }
  const result = checkSchemaChange({
    oldSdl: base ? readAt(root, base, 'schema/schema.graphql') : null,
    newSdl: readFileSync(join(root, 'schema/schema.graphql'), 'utf8'),
    changelog: readFileSync(join(root, 'CHANGELOG.md'), 'utf8'),
    documents,
  });
  const lines = [
    `schema check against ${base ?? 'nothing (no earlier commit)'}: ${result.breaking.length} breaking change(s), ${documents.length} document(s)`,
    ...result.breaking.map(
      (b) =>
        `  ${b.listed ? 'listed in CHANGELOG.md' : 'NOT LISTED in the newest section of CHANGELOG.md'}: ${b.change.description}`,
    ),
    ...result.invalid.map((d) => `  ${d.name} no longer validates: ${d.errors.join('; ')}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!result.ok) process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
