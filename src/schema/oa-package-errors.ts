/** The errors of OA package purchases, beside `oa-package.ts`. */
import { errorType } from './error-base.js';

/** Each error of oa package, keyed by name (gathered in `errors.ts`). */
export const OA_PACKAGE_ERROR_TYPES = {
  OAPurchaseRateLimited: errorType('OAPurchaseRateLimited', {
    description:
      'This client made as many OA package purchases in the last hour as `OA_PURCHASE_LIMIT_PER_CLIENT_HOUR` allows; nothing was done, and the idempotency key may be used again.',
    retryAfter: 'Seconds until one more purchase fits under the limit.',
  }),
};
