import { VENDOR_ERROR_REASONS, type VendorErrorReason } from '../domain/errors.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';

export const VENDOR_FAILURE_DESCRIPTIONS: Record<VendorErrorReason, string> = {
  VENDOR_REJECTED:
    'The vendor answered and refused (its code and message are given as they came). Only on `VendorRejected`.',
  VENDOR_TIMEOUT: 'The vendor did not answer in time.',
  VENDOR_UNAVAILABLE:
    'The vendor could not be reached, or the gateway stopped calling it for a while after repeated failures.',
  VENDOR_HTTP: 'The vendor answered with an HTTP error status.',
  VENDOR_BAD_RESPONSE: 'The vendor answered something the gateway could not read.',
};

export const VendorFailureReasonEnum = builder.enumType('VendorFailureReason', {
  description:
    'What became of a vendor call that did not succeed: refused (`VENDOR_REJECTED`), or why it gave no answer the gateway could use (the others).',
  values: describedValues(VENDOR_ERROR_REASONS, VENDOR_FAILURE_DESCRIPTIONS),
});
