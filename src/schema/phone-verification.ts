import { errorClasses, VerificationNotFound } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import {
  type PhoneVerification,
  VERIFICATION_CHANNELS,
  VERIFICATION_STATUSES,
  type VerificationStatus,
} from '../domain/voice.js';
import {
  CHECK_PHONE_VERIFICATION_ERRORS,
  PHONE_VERIFICATION_ERRORS,
  START_PHONE_VERIFICATION_ERRORS,
} from '../services/phone-verification.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';
import { idempotencyKeyField } from './idempotency-key.js';
import { recordAuth } from './records.js';
import { SENSITIVE } from './sensitive.js';
import { readGlobalId } from './voice-call.js';

const STATUS_DESCRIPTIONS: Record<VerificationStatus, string> = {
  PENDING: 'A code was sent and has not been checked right yet.',
  APPROVED:
    'The right code was checked. Final: a later check is VerificationNotPending, whatever the code.',
  EXPIRED: 'The validity ran out before the right code was checked. Final.',
  CANCELED: 'Ended by cancelPhoneVerification. Final.',
  MAX_ATTEMPTS_REACHED: 'The last allowed check (`VERIFICATION_MAX_CHECKS`) was wrong. Final.',
};

export const VerificationStatusEnum = builder.enumType('PhoneVerificationStatus', {
  description: 'Where a phone verification stands.',
  values: describedValues(VERIFICATION_STATUSES, STATUS_DESCRIPTIONS),
});

export const VerificationChannelEnum = builder.enumType('PhoneVerificationChannel', {
  description: 'How the code reaches the phone.',
  values: Object.fromEntries(
    VERIFICATION_CHANNELS.map((c) => [
      c,
      { value: c, description: 'A call that reads the code (the voice OTP vendor).' },
    ]),
  ),
});

export const PhoneVerificationRef = builder.objectRef<PhoneVerification>('PhoneVerification');

/**
 * The verification a check or cancel acts on: only the client that started it may (it spends
 * the verification's checks); any other id is VerificationNotFound, as an unknown one is.
 */
async function ownVerification(
  ctx: typeof builder.$inferSchemaTypes.Context,
  id: string,
): Promise<PhoneVerification> {
  const v = await ctx.access.getOwn('PhoneVerification', id);
  if (!v) throw new VerificationNotFound(message('VerificationNotFound.noVerification'), id);
  return v;
}

builder.node(PhoneVerificationRef, {
  description:
    'A check that someone holds a phone number: the gateway draws a 6-digit code, calls the phone to read it, and checks what the user types. Only a keyed hash of the code is kept.',
  ...recordAuth('PhoneVerification'),
  id: { resolve: (v) => v.id },
  loadMany: (ids, ctx) =>
    Promise.all(
      ids.map(async (id) => {
        const v = await ctx.access.get('PhoneVerification', id);
        return v ? ctx.verifications.seen(v) : null;
      }),
    ),
  fields: (t) => ({
    phone: t.exposeString('phone', { description: 'The phone, local form `0XXXXXXXXX`.' }),
    channel: t.field({
      type: VerificationChannelEnum,
      description: 'How the code is sent.',
      resolve: (v) => v.channel,
    }),
    status: t.field({
      type: VerificationStatusEnum,
      description: 'Where the verification stands.',
      resolve: (v) => v.status,
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'When the code stops being accepted (`VERIFICATION_VALIDITY_SECONDS`).',
      resolve: (v) => v.expiresAt,
    }),
    attemptsLeft: t.int({
      description: 'Checks still allowed (`VERIFICATION_MAX_CHECKS` in all).',
      resolve: (v, _args, ctx) => Math.max(0, ctx.config.verification.maxChecks - v.checks),
    }),
    sendsLeft: t.int({
      description: 'Calls still allowed for this verification (`VERIFICATION_MAX_SENDS` in all).',
      resolve: (v, _args, ctx) => Math.max(0, ctx.config.verification.maxSends - v.sends),
    }),
  }),
});

const StartPhoneVerificationInput = builder.inputType('StartPhoneVerificationInput', {
  description: 'Start verifying a phone, or send its open verification again.',
  fields: (t) => ({
    phone: t.string({ required: true, description: 'The phone, in any phone form.' }),
    channel: t.field({
      type: VerificationChannelEnum,
      required: true,
      description: 'How to send the code.',
    }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

const CheckPhoneVerificationInput = builder.inputType('CheckPhoneVerificationInput', {
  description: 'The code the user typed.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The verification’s global id.' }),
    code: t.string({ required: true, description: 'The 6 digits the call read out.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

const verificationResult = (name: string, description: string) => ({
  union: { name: `${name}Result`, description },
  result: { name: `${name}Success`, description: 'The verification, as it stands now.' },
  dataField: { name: 'verification', description: 'The verification.' },
});

builder.mutationField('startPhoneVerification', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { verify: true },
    type: PhoneVerificationRef,
    description:
      'Draws a 6-digit code and calls the phone to read it. Asked again while the phone’s verification is PENDING, it places a new call with a new code (the old one stops working), up to `VERIFICATION_MAX_SENDS` calls; at most `VERIFICATION_LIMIT_PER_PHONE_HOUR` verifications per phone per hour. Its calls count with `sendVoiceOtp`’s against the call caps (`VoiceCallRateLimited`) and the fraud guard (`VoiceCallPrefixBlocked`); a refused call changes nothing and is never placed.',
    args: {
      input: t.arg({
        type: StartPhoneVerificationInput,
        required: true,
        description: 'Which phone.',
      }),
    },
    errors: {
      types: errorClasses(START_PHONE_VERIFICATION_ERRORS),
      ...verificationResult(
        'StartPhoneVerification',
        'The verification with its call placed, or why not.',
      ),
    },
    resolve: (_root, { input }, ctx) => ctx.verifications.startVerification(ctx.clientId, input),
  }),
);

builder.mutationField('checkPhoneVerification', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { verify: true },
    type: PhoneVerificationRef,
    description:
      'Checks the code the user typed against a PENDING verification: APPROVED when right; a wrong code leaves it PENDING with one attempt fewer, and the last allowed wrong code makes it MAX_ATTEMPTS_REACHED. A verification that is not PENDING compares nothing and answers `VerificationNotPending` (never a success, whatever the code). A client that lost the answer retries with the same `idempotencyKey` and gets the first answer again (the approval included); without a key, or with a new one, a check after the approval is `VerificationNotPending`.',
    args: {
      input: t.arg({
        type: CheckPhoneVerificationInput,
        required: true,
        description: 'The check.',
      }),
    },
    errors: {
      types: errorClasses(CHECK_PHONE_VERIFICATION_ERRORS),
      ...verificationResult(
        'CheckPhoneVerification',
        'The verification after the check, or why not.',
      ),
    },
    resolve: async (_root, { input }, ctx) =>
      ctx.verifications.checkVerification(
        await ownVerification(ctx, readGlobalId(String(input.id), 'PhoneVerification')),
        { code: input.code, idempotencyKey: input.idempotencyKey },
      ),
  }),
);

builder.mutationField('cancelPhoneVerification', (t) =>
  t.field({
    authScopes: { verify: true },
    type: PhoneVerificationRef,
    description: 'Ends a PENDING verification (CANCELED); any other is returned as it is.',
    args: { id: t.arg.id({ required: true, description: 'The verification’s global id.' }) },
    errors: {
      types: errorClasses(PHONE_VERIFICATION_ERRORS),
      ...verificationResult('CancelPhoneVerification', 'The verification, or why not.'),
    },
    resolve: async (_root, { id }, ctx) =>
      ctx.verifications.cancelVerification(
        await ownVerification(ctx, readGlobalId(String(id), 'PhoneVerification')),
      ),
  }),
);
