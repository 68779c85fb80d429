import type { KeyOutcome, KeyUse } from '../store/idempotency.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';

type Types = typeof builder.$inferSchemaTypes;

/**
 * The `idempotencyKey` input field of every mutation that creates something at a vendor.
 * Optional, as at Stripe: without one the request runs once and is recorded, but a repeat is a new
 * request; apps send one to retry safely after a timeout.
 */
export function idempotencyKeyField(t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) {
  return t.string({
    required: false,
    description:
      'A key you make up per request (a UUID works; 8 to 128 of letters, digits and ._:-). Sending the same request again with it returns the first result without calling the vendor; kept at least 24 hours (IDEMPOTENCY_TTL_HOURS). Optional: without one a repeat is a new request, so apps should send one; GraphiQL tabs leave it out.',
  });
}

const OUTCOMES: readonly KeyOutcome[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'INTERRUPTED'];

const IdempotencyKeyOutcomeEnum = builder.enumType('IdempotencyKeyOutcome', {
  description: 'How the first request with an idempotency key ended; a retry with it replays this.',
  values: describedValues(OUTCOMES, {
    RUNNING: 'Still running: a retry now waits for it, or is told to come back.',
    SUCCEEDED: 'It answered with its result; a retry gets the same.',
    FAILED: 'It answered with an error after it changed something; a retry gets the same error.',
    INTERRUPTED:
      'The gateway stopped while running it, after it changed something; a retry answers from the record as it stands.',
  }),
});

const IdempotencyKeyUseRef = builder.objectRef<KeyUse>('IdempotencyKeyUse').implement({
  description:
    'An idempotency key whose request made or acted on a record: evidence of what was asked, when, and how it ended. Kept until the key expires.',
  fields: (t) => ({
    operation: t.exposeString('operation', {
      description: 'The mutation it was sent with, e.g. `requestOtp`.',
    }),
    key: t.exposeString('key', {
      description:
        'The key as the client sent it; `gateway:<uuid>` when it sent none (the gateway made one).',
    }),
    fingerprintedAt: t.field({
      type: 'DateTime',
      description:
        'When the first request with this key was received and its fingerprint (a keyed hash of its fields) stored: a retry with other fields is refused as `IdempotencyKeyReused`.',
      resolve: (u) => u.fingerprintedAt,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When the key is forgotten (`IDEMPOTENCY_TTL_HOURS` after it was first used).',
      resolve: (u) => u.expiresAt,
    }),
    outcome: t.field({
      type: IdempotencyKeyOutcomeEnum,
      description: 'How its first request ended.',
      resolve: (u) => u.outcome,
    }),
  }),
});

/** The `idempotencyKeys` field of a record: the keys that made or acted on it, oldest first. */
export function idempotencyKeysField<P extends { id: string }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, P>,
) {
  return t.field({
    type: [IdempotencyKeyUseRef],
    description:
      'The idempotency keys whose requests made or acted on this record, oldest first, until they expire: when each was first received (its fingerprint stored) and how it ended.',
    resolve: (record, _args, ctx) => ctx.loaders.idempotencyKeys.load(record.id),
  });
}
