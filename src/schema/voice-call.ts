import { errorClasses, InvalidInput } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import {
  SETTLED_CALL_STATUSES,
  VERIFICATION_LIMITS,
  type VerificationLimit,
  VOICE_CALL_STATUSES,
  type VoiceCall,
  type VoiceCallStatus,
} from '../domain/voice.js';
import { VOICE_CALL_LIMITS, type VoiceCallLimit } from '../domain/voice-limits.js';
import { SEND_VOICE_OTP_ERRORS } from '../services/voice-calls.js';
import { encodeCursor } from '../store/keyset.js';
import type { VoiceCallEvent, VoiceCallFilter } from '../store/voice.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';
import { decodeGlobalId } from './global-id.js';
import { idempotencyKeyField } from './idempotency-key.js';
import { clientFilterField, ledgerEvidenceFields, readClient } from './ledger-client.js';
import { checkPageSize, createdRangeFields, ledgerConnection, ledgerPage } from './ledger-page.js';
import { phoneArgument } from './phone-argument.js';
import { recordAuth } from './records.js';
import { SENSITIVE } from './sensitive.js';
import { noteEventId, resumeAfter, untilShutdown } from './streams.js';
import { SubscriberRef } from './subscriber.js';

/** The database id in a global id of `typename`; any other id is a bad argument. */
export function readGlobalId(globalId: string, typename: string): string {
  const decoded = decodeGlobalId(String(globalId));
  if (decoded.typename !== typename) {
    throw new InvalidInput(message('InvalidInput.notTypeId', { typename }), 'id');
  }
  return decoded.id;
}

const STATUS_DESCRIPTIONS: Record<VoiceCallStatus, string> = {
  PENDING:
    'Recorded, or placed and ringing: the subscriber has not answered yet. Refreshed from the vendor whenever it is read.',
  ANSWERED: 'The subscriber answered and heard the code. Final.',
  FAILED:
    'The vendor refused the call, could not place it, or the subscriber did not answer. Final.',
  UNKNOWN:
    'postSMS gave no usable answer (timeout, lost reply, code 27): the call may have been placed and billed. Final; never placed again by a retry.',
};

export const VoiceCallStatusEnum = builder.enumType('VoiceCallStatus', {
  description: 'Where a voice OTP call stands.',
  values: describedValues(VOICE_CALL_STATUSES, STATUS_DESCRIPTIONS),
});

const LIMIT_DESCRIPTIONS: Record<VerificationLimit, string> = {
  SENDS_PER_VERIFICATION: 'Calls for one verification (`VERIFICATION_MAX_SENDS`).',
  PHONE_PER_HOUR:
    'Verifications for one phone in the last hour (`VERIFICATION_LIMIT_PER_PHONE_HOUR`).',
};

export const VerificationLimitEnum = builder.enumType('VerificationLimit', {
  description: 'A limit on phone verifications.',
  values: describedValues(VERIFICATION_LIMITS, LIMIT_DESCRIPTIONS),
});

const CALL_LIMIT_DESCRIPTIONS: Record<VoiceCallLimit, string> = {
  PHONE_PER_10_MINUTES:
    'Calls to one phone by every client in the last 10 minutes (`VOICE_CALLS_PER_PHONE_10MIN`).',
  PHONE_PER_DAY:
    'Calls to one phone by every client in the last 24 hours (`VOICE_CALLS_PER_PHONE_DAY`).',
  CLIENT_PER_MINUTE: 'Calls by one client in the last minute (`VOICE_CALLS_PER_CLIENT_MINUTE`).',
  CLIENT_PER_DAY: 'Calls by one client in the last 24 hours (`VOICE_CALLS_PER_CLIENT_DAY`).',
};

export const VoiceCallLimitEnum = builder.enumType('VoiceCallLimit', {
  description:
    'A cap on the calls the gateway places (`sendVoiceOtp` and verification calls together).',
  values: describedValues(VOICE_CALL_LIMITS, CALL_LIMIT_DESCRIPTIONS),
});

const VoiceCallEventRef = builder.objectRef<VoiceCallEvent>('VoiceCallEvent').implement({
  description: 'One change of a voice call, in the order it happened.',
  fields: (t) => ({
    sequence: t.exposeInt('version', { description: '1 for the first event, then 2, 3, ...' }),
    status: t.field({
      type: VoiceCallStatusEnum,
      description: 'The status the call moved to.',
      resolve: (e) => e.status,
    }),
    at: t.field({ type: 'DateTime', description: 'When.', resolve: (e) => e.at }),
    detail: t.exposeString('detail', { nullable: true, description: 'What happened, in words.' }),
  }),
});

export const VoiceCallRef = builder.objectRef<VoiceCall>('VoiceCall');

type Ctx = typeof builder.$inferSchemaTypes.Context;

/**
 * A call the caller may see, as it stands now: a PENDING one is asked of the vendor first (once
 * per request, concurrently with the others of the request); null for an unknown call or one the
 * caller may not see, for which the vendor is never asked.
 */
async function callNow(ctx: Ctx, id: string): Promise<VoiceCall | null> {
  const call = await ctx.access.get('VoiceCall', id);
  return call ? ctx.loaders.voiceCallStatus.load(call) : null;
}

builder.node(VoiceCallRef, {
  description:
    'A call that reads a code of up to 6 digits to a phone (the voice OTP vendor). The code itself is never stored nor returned.',
  ...recordAuth('VoiceCall'),
  id: { resolve: (c) => c.id },
  loadMany: (ids, ctx) => Promise.all(ids.map((id) => callNow(ctx, id))),
  fields: (t) => ({
    requestId: t.exposeString('requestId', {
      nullable: true,
      description:
        'The vendor’s request id, once it accepted the call; null if it never did (FAILED, UNKNOWN).',
    }),
    phone: t.exposeString('phone', { description: 'The phone called, local form `0XXXXXXXXX`.' }),
    status: t.field({
      type: VoiceCallStatusEnum,
      description: 'Where the call stands.',
      resolve: (c) => c.status,
    }),
    vendorCode: t.exposeString('vendorCode', {
      nullable: true,
      description:
        'The vendor’s last code for the call, as it came: `1` accepted or answered, `27` pending (or outcome unknown at postSMS), `23` failed, or its refusal code (e.g. `-8`).',
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the call was asked for.',
      resolve: (c) => c.createdAt,
    }),
    settledAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the call reached a final status; null while PENDING.',
      resolve: (c) => c.settledAt,
    }),
    ...ledgerEvidenceFields(t, 'asked for it', {
      type: VoiceCallEventRef,
      description: 'Every change of this call, oldest first.',
      load: (ctx, id) => ctx.loaders.voiceCallEvents.load(id),
    }),
  }),
});

const VoiceCallConnection = ledgerConnection(VoiceCallRef, 'VoiceCall', {
  page: 'A page of voice calls, newest first.',
  total: 'How many calls match the filter, across all pages.',
  edge: 'A voice call in a page.',
});

const VoiceCallFilterInput = builder.inputType('VoiceCallFilter', {
  description:
    'Narrows the ledger of voice calls. Every field is optional; given fields must all match.',
  fields: (t) => ({
    status: t.field({
      type: VoiceCallStatusEnum,
      required: false,
      description: 'Only this status.',
    }),
    phone: t.string({
      required: false,
      description: 'Only calls to this phone, in any phone form.',
    }),
    client: clientFilterField(t, 'calls'),
    ...createdRangeFields(t, 'Asked for'),
  }),
});

builder.queryField('voiceCalls', (t) =>
  t.connection(
    {
      type: VoiceCallRef,
      description:
        'The ledger of voice calls, newest first, as recorded (a PENDING call is not asked of the vendor here; `voiceCall(id:)` does): the client’s own, or every client’s with `ledger:all`.',
      authScopes: { voice: true, 'ledger:all': true },
      args: {
        filter: t.arg({ type: VoiceCallFilterInput, required: false, description: 'Which calls.' }),
      },
      resolve: (_root, args, ctx) => {
        checkPageSize(args); // before the filter is read, as it always was
        const f = args.filter ?? {};
        const filter: Omit<VoiceCallFilter, 'clientId'> = {
          status: f.status ?? null,
          phone: f.phone ? phoneArgument(f.phone).local : null,
          createdFrom: f.createdFrom ?? null,
          createdTo: f.createdTo ?? null,
        };
        return ledgerPage(ctx, 'VoiceCall', args, {
          cursor: (c) => encodeCursor(c.createdAt, c.id),
          list: (s, clientId, window) => s.voiceStore.listCalls({ ...filter, clientId }, window),
          count: (s, clientId) => s.voiceStore.countCalls({ ...filter, clientId }),
          client: readClient(f.client),
        });
      },
    },
    VoiceCallConnection,
  ),
);

const VoiceOtpBalanceRef = builder
  .objectRef<{ balance: number; checkedAt: string }>('VoiceOtpBalance')
  .implement({
    description: 'The voice OTP account’s balance.',
    fields: (t) => ({
      balance: t.exposeFloat('balance', {
        description: 'In the vendor’s own units, as it reports them.',
      }),
      checkedAt: t.field({
        type: 'DateTime',
        description:
          'When the vendor was asked; answers are cached for `VOICE_OTP_BALANCE_CACHE_SECONDS`.',
        resolve: (b) => b.checkedAt,
      }),
    }),
  });

const SendVoiceOtpInput = builder.inputType('SendVoiceOtpInput', {
  description: 'A call that reads your code to a phone.',
  fields: (t) => ({
    phone: t.string({ required: true, description: 'The phone to call, in any phone form.' }),
    code: t.string({
      required: true,
      description:
        'The digits to read out: 1 to 6 digits, yours. Never stored, logged or returned.',
    }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('sendVoiceOtp', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { voice: true },
    type: VoiceCallRef,
    description:
      'Places a call that reads your code (1 to 6 digits) to a phone. The call is recorded before the vendor is asked; a call whose outcome is unknown is never placed again. Follow it with `voiceCall(id:)` or `voiceCallUpdated(id:)`. Calls to a phone and by a client are capped (`VoiceCallRateLimited`), and a number prefix whose calls do not convert into approved verifications is paused (`VoiceCallPrefixBlocked`); a refused call is never placed nor billed.',
    args: {
      input: t.arg({ type: SendVoiceOtpInput, required: true, description: 'The call.' }),
    },
    errors: {
      types: errorClasses(SEND_VOICE_OTP_ERRORS),
      union: { name: 'SendVoiceOtpResult', description: 'The call placed, or why not.' },
      result: { name: 'SendVoiceOtpSuccess', description: 'The vendor accepted the call.' },
      dataField: { name: 'voiceCall', description: 'The call, PENDING until answered or not.' },
    },
    resolve: (_root, { input }, ctx) => ctx.voice.sendVoiceOtp(ctx.clientId, input),
  }),
);

builder.queryField('voiceCall', (t) =>
  t.field({
    type: VoiceCallRef,
    nullable: true,
    description:
      'A voice call by id; a PENDING one is asked of the vendor first (many in one query: concurrently, once each). Null when there is no such call (or it is another client’s, without `ledger:all`).',
    authScopes: { voice: true, 'ledger:all': true },
    args: { id: t.arg.id({ required: true, description: 'The call’s global id.' }) },
    resolve: (_root, { id }, ctx) => callNow(ctx, readGlobalId(String(id), 'VoiceCall')),
  }),
);

builder.queryField('voiceOtpBalance', (t) =>
  t.field({
    type: VoiceOtpBalanceRef,
    description:
      'The voice OTP account’s balance, cached for `VOICE_OTP_BALANCE_CACHE_SECONDS`. Under `VOICE_OTP_BALANCE_WARN` it is logged as a warning and noted by `/readyz`.',
    authScopes: { voice: true },
    resolve: (_root, _args, ctx) => ctx.voice.balance(),
  }),
);

builder.objectField(SubscriberRef, 'voiceCalls', (t) =>
  t.field({
    type: [VoiceCallRef],
    description:
      'Voice calls placed to this number, newest first (as recorded; not refreshed): the client’s own, or every client’s with `ledger:all`.',
    authScopes: { voice: true, 'ledger:all': true },
    args: {
      first: t.arg.int({
        required: false,
        defaultValue: 20,
        description: 'How many, 1 to 100.',
      }),
    },
    resolve: (p, { first }, ctx) => {
      const n = first ?? 20;
      if (n < 1 || n > 100) {
        throw new InvalidInput(message('InvalidInput.firstRange', { max: 100 }), 'first');
      }
      return ctx.access.list('VoiceCall', (s, clientId) =>
        s.voiceStore.callsForPhone(p.local, n, clientId),
      );
    },
  }),
);

/**
 * The call now (unless the client saw it: `after`), then every change, until it settles, the
 * client leaves or the gateway stops.
 */
async function* streamCall(
  current: VoiceCall,
  updates: AsyncIterableIterator<VoiceCall>,
  follow: () => () => void,
  shutdown: AbortSignal,
  after: number | null,
): AsyncGenerator<VoiceCall> {
  let unfollow: (() => void) | null = null;
  let version = after ?? 0;
  const first = current.version > version ? [current] : [];
  if (first.length === 0 && SETTLED_CALL_STATUSES.includes(current.status)) {
    // The client saw the settled call: nothing more will come.
    await updates.return?.();
    return;
  }
  try {
    if (first.length === 0) unfollow = follow();
    for await (const call of untilShutdown(updates, shutdown, first)) {
      if (call.version <= version) continue;
      version = call.version;
      yield call;
      if (SETTLED_CALL_STATUSES.includes(call.status)) return;
      // Polled once the listener has the state now, and only while the call is not settled.
      unfollow ??= follow();
    }
  } finally {
    unfollow?.();
  }
}

builder.subscriptionField('voiceCallUpdated', (t) =>
  t.field({
    type: VoiceCallRef,
    nullable: true,
    description:
      'The call now, then again on every change until it settles (the stream then ends). The gateway polls the vendor with backoff, once per call however many listen. Every payload carries its event id (`extensions.eventId`, and the SSE `id:` field); resume with `after:` (or SSE `Last-Event-ID`) to get only what changed since. No such call (or another client’s): one `null`, then the end.',
    authScopes: { voice: true, 'ledger:all': true },
    args: {
      id: t.arg.id({ required: true, description: 'The call’s global id.' }),
      after: t.arg.string({
        required: false,
        description:
          'Resume: the `extensions.eventId` of the last payload received; the call is sent again only if it changed since.',
      }),
    },
    subscribe: async (_root, { id, after: afterArg }, ctx) => {
      const callId = readGlobalId(String(id), 'VoiceCall');
      const after = resumeAfter(afterArg, (ctx as { request?: Request }).request);
      // Listen before reading, so a change between the two is not missed.
      const updates = ctx.pubsub.subscribe('voiceCallUpdated', callId);
      let current: VoiceCall | null;
      try {
        current = await ctx.access.get('VoiceCall', callId);
      } catch (err) {
        await updates.return?.();
        throw err;
      }
      if (!current) {
        await updates.return?.();
        return (async function* () {
          yield null;
        })();
      }
      return streamCall(
        current,
        updates,
        () => ctx.voice.poller.follow(callId),
        ctx.shutdown,
        after,
      );
    },
    resolve: (call, _args, ctx) => {
      if (call) noteEventId(ctx, call);
      return call;
    },
  }),
);
