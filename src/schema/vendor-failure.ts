import { VENDOR_FAILURE_REASONS, type VendorFailureReason } from '../domain/errors.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';

export const VENDOR_FAILURE_DESCRIPTIONS: Record<VendorFailureReason, string> = {
  VENDOR_TIMEOUT: 'The vendor did not answer in time.',
  VENDOR_UNAVAILABLE:
    'The vendor could not be reached, or the gateway stopped calling it for a while after repeated failures.',
  VENDOR_HTTP: 'The vendor answered with an HTTP error status.',
  VENDOR_BAD_RESPONSE: 'The vendor answered something the gateway could not read.',
};

export const VendorFailureReasonEnum = builder.enumType('VendorFailureReason', {
  description: 'Why a vendor call gave no answer the gateway could use.',
  values: describedValues(VENDOR_FAILURE_REASONS, VENDOR_FAILURE_DESCRIPTIONS),
});
