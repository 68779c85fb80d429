import { describe, expect, it } from 'vitest';
import {
  failureReason,
  LEDGER_OUTCOMES,
  outcomeOf,
  statusAfter,
  VENDOR_OUTCOMES,
} from '../../src/domain/vendor-outcome.js';

/** What a failed creating call means is decided in one table; these hold for every ledger in it. */
describe('vendor outcomes', () => {
  it('reads the outcome from the failure, "may have acted" first', () => {
    const f = (code: string, outcomeUnknown: boolean, attempted: boolean) =>
      outcomeOf({ code, outcomeUnknown, attempted });
    expect(f('VENDOR_REJECTED', false, true)).toBe('REJECTED');
    expect(f('VENDOR_REJECTED', true, true)).toBe('UNKNOWN');
    expect(f('VENDOR_TIMEOUT', true, true)).toBe('UNKNOWN');
    expect(f('VENDOR_HTTP', false, true)).toBe('NOT_ACTED');
    expect(f('VENDOR_UNAVAILABLE', false, false)).toBe('NOT_SENT');
  });

  it.each(Object.keys(LEDGER_OUTCOMES))(
    '%s: declares every outcome; only UNKNOWN (and always it) leaves the record UNKNOWN',
    (ledger) => {
      const table = LEDGER_OUTCOMES[ledger as keyof typeof LEDGER_OUTCOMES] as Record<
        string,
        string
      >;
      expect(Object.keys(table).sort()).toEqual([...VENDOR_OUTCOMES].sort());
      for (const outcome of VENDOR_OUTCOMES) {
        expect(table[outcome] === 'UNKNOWN', `${ledger} ${outcome}`).toBe(outcome === 'UNKNOWN');
      }
    },
  );

  it('gives each ledger its status for a failure', () => {
    const notSent = { code: 'VENDOR_UNAVAILABLE', outcomeUnknown: false, attempted: false };
    expect(statusAfter('otpRequest', notSent)).toBe('REFUSED');
    expect(statusAfter('vasTransaction', notSent)).toBe('FAILED');
    expect(statusAfter('oaPackage', notSent)).toBe('REJECTED');
    expect(statusAfter('registration', notSent)).toBe('PREVIOUS');
  });

  it('names why a failed call gave no usable answer, one rule for every vendor', () => {
    const facts = { outcomeUnknown: false, attempted: true };
    expect(failureReason({ ...facts, code: 'VENDOR_TIMEOUT' })).toBe('VENDOR_TIMEOUT');
    // A refusal code with an unknown outcome (voice OTP's 27) is no answer from the vendor.
    expect(failureReason({ ...facts, code: 'VENDOR_REJECTED', status: 200 })).toBe(
      'VENDOR_UNAVAILABLE',
    );
    // A refusal page from a proxy is an HTTP error.
    expect(failureReason({ ...facts, code: 'VENDOR_REJECTED', status: 403 })).toBe('VENDOR_HTTP');
  });
});
