/** The errors of voice calls (`sendVoiceOtp`, and the calls a verification places), beside `voice-call.ts`. */
import { errorType } from './error-base.js';
import { VoiceCallLimitEnum } from './voice-call.js';

/** Each error of voice call, keyed by name (gathered in `errors.ts`). */
export const VOICE_CALL_ERROR_TYPES = {
  VoiceCallRateLimited: errorType('VoiceCallRateLimited', {
    description:
      'Too many calls to this phone (by every client) or by this client; no call was placed nor billed. The idempotency key may be used again.',
    retryAfter: 'Seconds until one more call fits under the limit.',
    fields: (t) => ({
      // Not `limit`: that is VerificationRateLimited's, of another type, in the same union.
      callLimit: t.expose('limit', {
        type: VoiceCallLimitEnum,
        description: 'The limit reached.',
      }),
    }),
  }),
  VoiceCallPrefixBlocked: errorType('VoiceCallPrefixBlocked', {
    description:
      'The fraud guard pauses calls to numbers of this prefix: too many recent calls to them led to no approved verification (`VOICE_GUARD_*`). No call was placed nor billed; an operator can lift the pause.',
    retryAfter: 'Seconds until the pause ends.',
    fields: (t) => ({
      prefix: t.exposeString('prefix', {
        description: 'The paused prefix: the first 5 digits of the local form, e.g. `09360`.',
      }),
    }),
  }),
};
