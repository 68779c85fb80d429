/** The errors of phone verification, beside `phone-verification.ts`. */
import { errorType } from './error-base.js';
import { VerificationStatusEnum } from './phone-verification.js';
import { VerificationLimitEnum } from './voice-call.js';

/** Each error of phone verification, keyed by name (gathered in `errors.ts`). */
export const PHONE_VERIFICATION_ERROR_TYPES = {
  VerificationNotFound: errorType('VerificationNotFound', {
    description: 'No phone verification of this client has this id.',
    fields: (t) => ({
      verificationId: t.exposeString('id', { description: 'The id that was given.' }),
    }),
  }),
  VerificationRateLimited: errorType('VerificationRateLimited', {
    description:
      'Too many verifications for this phone, or too many calls for this verification; no call was placed.',
    retryAfter: 'Seconds until one more fits under the limit.',
    fields: (t) => ({
      limit: t.expose('limit', { type: VerificationLimitEnum, description: 'The limit reached.' }),
    }),
  }),
  VerificationNotPending: errorType('VerificationNotPending', {
    description:
      'The verification is no longer PENDING (approved, expired, canceled or out of attempts): nothing was compared, and this is never a success, whatever the code. A client that lost the answer to its approving check gets it again by retrying with that check’s `idempotencyKey`.',
    fields: (t) => ({
      status: t.expose('status', {
        type: VerificationStatusEnum,
        description: 'Where the verification stands.',
      }),
    }),
  }),
};
