import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CLASSES, type ErrorName } from '../../src/domain/errors.js';
import {
  LANGUAGES,
  MESSAGES,
  type MessageKey,
  message,
  type ParamsOf,
  render,
} from '../../src/domain/messages/index.js';
import { spellWindow } from '../../src/domain/messages/say.js';
import { HOUR_MS, MINUTE_MS } from '../../src/domain/windows.js';
import { PROTOCOL_ERROR_CODES, refusal } from '../../src/server/edge/refusal.js';

const reached = { max: 37, windowMs: 10 * MINUTE_MS, retryAfterSeconds: 481 };
const reachedHour = { max: 37, windowMs: HOUR_MS, retryAfterSeconds: 481 };

/**
 * Parameters for every message of the catalogue, more than one where the words depend on them:
 * TypeScript refuses this object when a message has none, so every message is checked below.
 * Values are distinctive, so that finding one in a text means the text quotes it.
 */
const SAMPLES: { [K in MessageKey]: ParamsOf<K> | ParamsOf<K>[] } = {
  'InvalidPhoneNumber.notMobile': {},
  'InvalidInput.malformed': { field: 'parcelRef' },
  'InvalidInput.tooLong': { field: 'utm.source', max: 203 },
  'InvalidInput.idempotencyKey': {},
  'InvalidInput.otp': {},
  'InvalidInput.orderCode': {},
  'InvalidInput.orderCodeArgument': {},
  'InvalidInput.voiceCode': {},
  'InvalidInput.verificationCode': {},
  'InvalidInput.channel': {},
  'InvalidInput.price': {},
  'InvalidInput.vendorId': { field: 'serviceId' },
  'InvalidInput.oaId': {},
  'InvalidInput.oneOaId': {},
  'InvalidInput.oaTier': { tiers: ['TRIAL', 'ADVANCED', 'PREMIUM'], given: 'GOLDX' },
  'InvalidInput.activeFromFormat': {},
  'InvalidInput.activeFromPast': { activeFrom: '2026-01-02', today: '2026-03-04' },
  'InvalidInput.duration': { given: -13 },
  'InvalidInput.clientName': {},
  'InvalidInput.pageSize': { field: 'first', max: 100, given: 4321 },
  'InvalidInput.firstRange': { max: 100 },
  'InvalidInput.eventId': {},
  'InvalidInput.notAnId': {},
  'InvalidInput.noGlobalIds': { typename: 'OrderFailure' },
  'InvalidInput.notTypeId': { typename: 'VoiceCall' },
  'InvalidInput.notOAPackageId': {},
  'InvalidCursor.notOurs': {},
  'IdempotencyKeyReused.differentRequest': {},
  'RequestInProgress.running': { retryAfterSeconds: 29 },
  'RequestInProgress.refusedMeanwhile': {},
  'TooManySensitiveMutations.atMostOne': {
    sensitive: ['requestOtp', 'registerWithOtp', 'sendVoiceOtp'],
    found: ['requestOtp', 'sendVoiceOtp'],
  },
  'Forbidden.field': { field: 'Query.orders' },
  'Forbidden.introspection': {},
  'DatabaseUnavailable.busy': {},
  'PackageNotAvailable.notForSale': { packageCode: 'ZZ999' },
  'PackageNotAvailable.otherCarrier': {
    packageCode: '6C120',
    packageTelco: 'MOBIFONE',
    phone: '098****420',
    telco: 'VIETTEL',
  },
  'PackageNotAvailable.notForSubscriber': { packageCode: '6C120' },
  'OtpRateLimited.CLIENT_PER_MINUTE': { ...reached, windowMs: MINUTE_MS },
  'OtpRateLimited.PHONE_PER_10_MINUTES': reached,
  'OtpRateLimited.PHONE_PER_HOUR': reachedHour,
  'OtpAlreadySent.open': { packageCode: '6C120', orderCode: 'DG-7731' },
  'OtpAlreadySent.unsettled': { packageCode: '6C120', orderCode: 'DG-7731' },
  'OtpAlreadySentElsewhere.open': { packageCode: '6C120' },
  'OtpAlreadySentElsewhere.unsettled': { packageCode: '6C120' },
  'OrderNotFound.noOrder': { orderCode: 'DG-NOPE' },
  'OtpIncorrect.attemptsLeft': { attemptsLeft: 3 },
  'OtpIncorrect.lastAttempt': {},
  'OrderLocked.locked': {},
  'OtpExpired.expired': {},
  'OrderNotOpen.noOtp': { status: 'REFUSED' },
  'OrderNotOpen.registered': {},
  'OrderNotOpen.registering': {},
  'OrderNotOpen.anotherRegistering': {},
  'OrderNotOpen.status': { status: 'FAILED' },
  'OAPurchaseRateLimited.perHour': { max: 17, retryAfterSeconds: 1201 },
  'VendorError.rejected': [
    { vendor: 'parcel', vendorCode: 'E42' },
    { vendor: 'parcel', vendorCode: null },
  ],
  'VendorError.notConfirmed': { vendor: 'parcel', code: 'VENDOR_TIMEOUT' },
  'VendorError.notTaken': { vendor: 'parcel', code: 'VENDOR_HTTP' },
  'VendorError.dmallRejected': [{ vendorCode: '1006' }, { vendorCode: null }],
  'VendorError.dmallNotConfirmed': { code: 'VENDOR_TIMEOUT' },
  'VendorError.dmallNotTaken': { code: 'VENDOR_UNAVAILABLE' },
  'VendorError.dmallReusedOrderCode': { orderCode: 'DG-7731' },
  'VendorError.dmallInterruptedOtp': { status: 'UNKNOWN' },
  'VendorError.dmallInterruptedRegistration': { status: 'UNKNOWN' },
  'VendorError.dmallNotRecorded': { status: 'OTP_SENT' },
  'VendorError.vasRejected': { errorId: '1029' },
  'VendorError.vasNotConfirmed': { code: 'VENDOR_TIMEOUT' },
  'VendorError.vasNotTaken': { code: 'VENDOR_BAD_RESPONSE' },
  'VendorError.vasCheckUnavailable': { code: 'VENDOR_UNAVAILABLE' },
  'VendorError.vasSettleUnavailable': {},
  'VendorError.vasInterrupted': { status: 'UNKNOWN' },
  'VendorError.vasNotRecorded': { status: 'FAILED' },
  'VendorError.esmsRejected': [{ vendorCode: '103' }, { vendorCode: null }],
  'VendorError.esmsNotConfirmed': { code: 'VENDOR_TIMEOUT' },
  'VendorError.esmsNotTaken': { code: 'VENDOR_HTTP' },
  'VendorError.esmsInterrupted': { status: 'SUBMITTED' },
  'VendorError.esmsNotRecorded': {},
  'VendorError.voiceRejected': [{ vendorCode: '25' }, { vendorCode: null }],
  'VendorError.voiceNotConfirmed': { code: 'VENDOR_TIMEOUT' },
  'VendorError.voiceNotTaken': { code: 'VENDOR_UNAVAILABLE' },
  'VendorError.voiceInterrupted': { status: 'UNKNOWN' },
  'VasTransactionInDoubt.open': [
    { action: 'REGISTER', status: 'UNKNOWN', transactionId: 'tx-5521' },
    { action: 'CANCEL', status: 'PENDING', transactionId: 'tx-5521' },
  ],
  'VasTransactionInDoubtElsewhere.open': [
    { action: 'REGISTER', status: 'UNKNOWN' },
    { action: 'CANCEL', status: 'PENDING' },
  ],
  'VasTransactionNotFound.noTransaction': {},
  'VoiceCallRateLimited.PHONE_PER_10_MINUTES': reached,
  'VoiceCallRateLimited.PHONE_PER_DAY': { ...reached, windowMs: 24 * HOUR_MS },
  'VoiceCallRateLimited.CLIENT_PER_MINUTE': { ...reached, windowMs: MINUTE_MS },
  'VoiceCallRateLimited.CLIENT_PER_DAY': { ...reached, windowMs: 24 * HOUR_MS },
  'VoiceCallPrefixBlocked.paused': { prefix: '09371', retryAfterSeconds: 907 },
  'VerificationNotFound.noVerification': {},
  'VerificationRateLimited.PHONE_PER_HOUR': { max: 11 },
  'VerificationRateLimited.SENDS_PER_VERIFICATION': { max: 13 },
  'VerificationNotPending.status': { status: 'APPROVED' },
  'INTERNAL_SERVER_ERROR.unexpected': {},
  'GRAPHQL_VALIDATION_FAILED.serviceSdl': {},
  'MAX_TOKENS_EXCEEDED.limit': { limit: 1003, found: null },
  'MAX_DEPTH_EXCEEDED.limit': [
    { limit: 15, found: 21 },
    { limit: 15, found: null },
  ],
  'MAX_ALIASES_EXCEEDED.limit': { limit: 31, found: 45 },
  'MAX_DIRECTIVES_EXCEEDED.limit': { limit: 51, found: 52 },
  'MAX_COST_EXCEEDED.limit': { limit: 5003, found: 20007 },
  'REQUEST_TOO_LARGE.body': { maxBytes: 65536 },
  'UNSUPPORTED_MEDIA_TYPE.notJson': {},
  'BAD_REQUEST.invalidJson': {},
  'BAD_REQUEST.notObject': {},
  'BAD_USER_INPUT.nul': {},
  'UNAUTHENTICATED.keyRequired': {},
  'RATE_LIMITED.budget': { retryAfterSeconds: 23 },
  'PERSISTED_QUERY_ONLY.published': {},
  'PERSISTED_QUERY_NOT_FOUND.unknownHash': {},
  'PERSISTED_QUERY_ID_REQUIRED.noQuery': {},
  'TOO_MANY_SUBSCRIPTIONS.limit': { limit: 9 },
};

/** Letters only Vietnamese writes: its vowels with their marks, and đ. */
const VIETNAMESE = /[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]/i;

/** What a renderer writes when it reads a parameter it was not given, or reads it wrong. */
const BROKEN = /undefined|\bnull\b|NaN|\[object |\$\{/;

/** Each value a message is filled with, as a text would quote it. */
function quoted(params: object): string[] {
  return Object.values(params).flatMap((v) =>
    Array.isArray(v) ? v.map(String) : v === null ? [] : [String(v)],
  );
}

const cases = (Object.keys(MESSAGES) as MessageKey[]).flatMap((key) =>
  [SAMPLES[key]].flat().map((params) => [key, params] as const),
);

describe('the message catalogue', () => {
  it.each(cases)('writes %s in Vietnamese and in English', (key, params) => {
    const text = message(
      key as 'OrderNotFound.noOrder',
      params as ParamsOf<'OrderNotFound.noOrder'>,
    );
    const [vi, en] = LANGUAGES.map((language) => render(text, language));
    expect(vi!.trim(), 'Vietnamese').not.toBe('');
    expect(en!.trim(), 'English').not.toBe('');
    expect(vi, 'a translation, not the English again').not.toBe(en);
    expect(vi, 'Vietnamese, with its letters').toMatch(VIETNAMESE);
    expect(en, 'English, without Vietnamese letters').not.toMatch(VIETNAMESE);
    for (const written of [vi, en]) expect(written).not.toMatch(BROKEN);
    // Numbers, codes, ids and field names stay as they are: quoted in one language, in both.
    for (const value of quoted(params)) {
      expect({ value, in: vi!.includes(value) }).toEqual({ value, in: en!.includes(value) });
    }
  });

  it('has messages for every registered error and every protocol code the gateway writes', () => {
    const groups = new Set(Object.keys(MESSAGES).map((key) => key.slice(0, key.indexOf('.'))));
    const groupOfError = (name: ErrorName) =>
      name === 'VendorRejected' || name === 'VendorUnavailable' ? 'VendorError' : name;
    // graphql-js's own errors: its words (parse, validation), not the gateway's.
    const graphqlJs = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'];
    const needed = [
      ...(Object.keys(ERROR_CLASSES) as ErrorName[]).map(groupOfError),
      ...Object.keys(PROTOCOL_ERROR_CODES).filter((code) => !graphqlJs.includes(code)),
    ];
    expect(needed.filter((group) => !groups.has(group))).toEqual([]);
    // And no message of a group that is no error (a key whose error was renamed). The gateway
    // writes one validation error of its own (federation's `_service` refused in production).
    expect(
      [...groups].filter((group) => !needed.includes(group) && !graphqlJs.includes(group)),
    ).toEqual([]);
  });

  it('spells a window in each language', () => {
    const windows = [MINUTE_MS, 10 * MINUTE_MS, HOUR_MS, 24 * HOUR_MS, 2 * HOUR_MS, 90_000];
    expect(windows.map((ms) => spellWindow(ms, 'en'))).toEqual([
      'minute',
      '10 minutes',
      'hour',
      '24 hours',
      '2 hours',
      '90 seconds',
    ]);
    expect(windows.map((ms) => spellWindow(ms, 'vi'))).toEqual([
      '1 phút',
      '10 phút',
      '1 giờ',
      '24 giờ',
      '2 giờ',
      '90 giây',
    ]);
  });
});

/** Every TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the gateway’s words', () => {
  it('make a refusal from a protocol code’s message only, whose code it takes', () => {
    const refused = refusal(message('REQUEST_TOO_LARGE.body', { maxBytes: 10 }), 413);
    // English until written in the request's language; the message it carries is never sent.
    expect(JSON.parse(JSON.stringify(refused))).toEqual({
      message: 'Request body larger than 10 bytes (MAX_REQUEST_BODY_BYTES).',
      extensions: { code: 'REQUEST_TOO_LARGE', http: { status: 413 } },
    });
    // @ts-expect-error a refusal takes a message of the catalogue, not a string
    expect(() => refusal('free text', 400)).toThrow();
    // @ts-expect-error nor a registered error's message: its code is no protocol code
    refusal(message('OtpExpired.expired'), 400);
  });

  it('reach a client only through the catalogue', () => {
    // Gateway errors and refusals take catalogue messages by type (see test/domain/errors.test.ts
    // and `refusal`); a GraphQL error made directly is allowed only here, each for its reason.
    const allowed: Record<string, string> = {
      'src/server/localized-error.ts': 'the one maker of errors from catalogue messages',
      'src/schema/errors.ts': 'a registered error as a top-level error: its message, carried',
      'src/server/websocket.ts': 'copies of errors already made, and Yoga’s masked error',
      'src/server/tracing.ts':
        'copies of errors already made, with their trace id (extensions kept)',
      'src/schema/scalars.ts':
        'a scalar’s parse failure, which graphql-js writes into its own English sentence',
    };
    const root = new URL('../../', import.meta.url).pathname;
    const makers = sources(join(root, 'src'))
      .filter((file) => /new GraphQLError\(|createGraphQLError\(/.test(readFileSync(file, 'utf8')))
      .map((file) => file.slice(root.length));
    expect(makers.sort()).toEqual(Object.keys(allowed).sort());
  });
});
