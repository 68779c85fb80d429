import { describe, expect, it } from 'vitest';
import { type Caller, listOwner, type RecordRule } from '../../src/domain/access.js';

const owned: RecordRule = { scopes: ['ledger'], owned: true };
const facts: RecordRule = { scopes: ['vas'], owned: false };
const caller = (clientId: string, scopes: Caller['scopes']): Caller => ({
  clientId,
  scopes,
  authenticated: scopes !== null,
});

describe('whose records a listing keeps (listOwner)', () => {
  it('keeps a client’s own, everyone’s for ledger:all, none without the scope', () => {
    expect(listOwner(caller('a', ['ledger']), owned)).toBe('a');
    expect(listOwner(caller('a', ['ledger:all']), owned)).toBeNull();
    expect(listOwner(caller('a', ['sales']), owned)).toBeUndefined();
    expect(listOwner(caller('a', ['vas']), facts)).toBeNull();
  });

  it('narrows to the client a filter names, within the rule', () => {
    expect(listOwner(caller('a', ['ledger']), owned, 'a')).toBe('a');
    // Another client's name: none, as if it had no records.
    expect(listOwner(caller('a', ['ledger']), owned, 'b')).toBeUndefined();
    expect(listOwner(caller('a', ['ledger:all']), owned, 'b')).toBe('b');
    expect(listOwner(caller('x', null), owned, 'b')).toBe('b');
    expect(listOwner(caller('a', ['sales']), owned, 'a')).toBeUndefined();
    // Records without owners have no client to narrow to.
    expect(listOwner(caller('a', ['vas']), facts, 'b')).toBeNull();
    expect(listOwner(caller('a', ['ledger']), owned, '')).toBe('a');
  });
});
