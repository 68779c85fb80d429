import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { sensitiveMutations } from '../../src/schema/sensitive.js';

/**
 * The mutations that send an OTP or a call, spend money or check a code declare it on their
 * field; the one-per-document rule reads that declaration. Pinned here so that dropping one is
 * seen in review: every other mutation (cancelling a verification, settling from a read) is not.
 */
describe('sensitive mutations', () => {
  it('are those that send, spend or check, as declared on their fields', () => {
    expect(sensitiveMutations(schema).sort()).toEqual(
      [
        'cancelVasPackage',
        'checkPhoneVerification',
        'purchaseOAPackage',
        'registerVasPackage',
        'registerWithOtp',
        'requestOtp',
        'sendVoiceOtp',
        'startPhoneVerification',
      ].sort(),
    );
  });
});
