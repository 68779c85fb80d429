import { describe, expect, it } from 'vitest';
import { checkSchemaChange, newestSection } from '../../scripts/schema-check.js';

const OLD = `type Query { order(code: String!): Order }
type Order { code: String! status: String! telcoTransId: String }`;
const NEW = `type Query { order(code: String!): Order }
type Order { code: String! status: String! }`;
const USES_REMOVED = {
  name: 'operations/x.graphql',
  source: '{ order(code: "A") { code telcoTransId } }',
};
const STILL_VALID = {
  name: 'operations/y.graphql',
  source: '{ order(code: "A") { code status } }',
};

const changelog = (newest: string, older = '') =>
  `# Changelog\n\nIntro.\n\n## 0.3.0\n\n${newest}\n\n## 0.2.0\n\n${older}\n`;

describe('the breaking-change check', () => {
  it('fails on a removed field an operation uses, naming both', () => {
    const result = checkSchemaChange({
      oldSdl: OLD,
      newSdl: NEW,
      changelog: changelog('Nothing breaking.'),
      documents: [USES_REMOVED, STILL_VALID],
    });
    expect(result.ok).toBe(false);
    expect(result.breaking).toMatchObject([
      { subject: 'Order.telcoTransId', listed: false, change: { type: 'FIELD_REMOVED' } },
    ]);
    expect(result.invalid).toEqual([
      {
        name: 'operations/x.graphql',
        errors: ['Cannot query field "telcoTransId" on type "Order".'],
      },
    ]);
  });

  it('lets a breaking change through once the newest changelog section names it, but never a broken operation', () => {
    const listed = changelog('### Breaking\n\n`Order.telcoTransId` is gone: read `status`.');
    expect(
      checkSchemaChange({ oldSdl: OLD, newSdl: NEW, changelog: listed, documents: [STILL_VALID] })
        .ok,
    ).toBe(true);
    expect(
      checkSchemaChange({ oldSdl: OLD, newSdl: NEW, changelog: listed, documents: [USES_REMOVED] })
        .ok,
    ).toBe(false);
    // Named only in an older release's section: not listed for this one.
    const older = changelog('Nothing.', '`Order.telcoTransId` was deprecated.');
    expect(
      checkSchemaChange({ oldSdl: OLD, newSdl: NEW, changelog: older, documents: [] }).breaking[0]
        ?.listed,
    ).toBe(false);
  });

  it('passes an additive change, and has nothing to compare without a base', () => {
    expect(
      checkSchemaChange({ oldSdl: NEW, newSdl: OLD, changelog: changelog(''), documents: [] }),
    ).toEqual({ breaking: [], invalid: [], ok: true });
    expect(
      checkSchemaChange({ oldSdl: null, newSdl: NEW, changelog: '', documents: [STILL_VALID] }).ok,
    ).toBe(true);
  });

  it('reads the newest section from its heading to the next', () => {
    expect(newestSection(changelog('A', 'B'))).toBe('\n## 0.3.0\n\nA\n');
  });
});
