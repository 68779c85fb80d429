import type { builder } from './builder.js';

/**
 * The `idempotencyKey` input field of every mutation that creates something at a vendor.
 * Optional, as at Stripe: without one the request runs once and is recorded, but a repeat is a new
 * request; apps send one to retry safely after a timeout.
 */
export function idempotencyKeyField(
  t: PothosSchemaTypes.InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>,
) {
  return t.string({
    required: false,
    description:
      'A key you make up per request (a UUID works; 8 to 128 of letters, digits and ._:-). Sending the same request again with it returns the first result without calling the vendor; kept at least 24 hours (IDEMPOTENCY_TTL_HOURS). Optional: without one a repeat is a new request, so apps should send one; GraphiQL tabs leave it out.',
  });
}
