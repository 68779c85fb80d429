import { randomUUID } from 'node:crypto';
import { json, route, type SimReply, SimulatorServer, sandbox, text } from '../simulator-kit.js';
import {
  ACCEPTED,
  CALL_STATUS_CODES,
  CHECK_BALANCE_PATH,
  CHECK_VOICE_PATH,
  CheckBalanceRequest,
  CheckVoiceRequest,
  OUTCOME_UNKNOWN,
  POST_SMS_CODES,
  POST_SMS_PATH,
  PostSmsRequest,
  VOICE_CODE,
  type VoiceCallStatus,
} from './wire.js';

/** A call the simulator placed (billed), as the vendor keeps it. */
export interface SimVoiceCall {
  /** Null for a call answered with code 27: billed, but its id never reached the caller. */
  requestId: string | null;
  phone: string;
  /** The digits the call reads out: the simulator is the callee, so tests can "hear" them here. */
  message: string;
  placedAt: number;
  /** What the call becomes once `settleAfterMs` has passed; null: it stays pending for ever. */
  settlesAs: Exclude<VoiceCallStatus, 'PENDING'> | null;
  /** How many times `checkVoice` asked about it. */
  checks: number;
}

export interface VoiceOtpSimulatorOptions {
  username: string;
  password: string;
  key: string;
  /** The one caller id (`sender`) declared for the account; any other answers code 5. */
  sender: string;
  hangMs?: number;
  /** How long a placed call stays pending (`27`) before it is answered or fails. Default 5 s. */
  settleAfterMs?: number;
  /** The account's starting balance, in the vendor's units. Default 1000. */
  balance?: number;
  /** What each placed call spends. Default 1. */
  callCost?: number;
  /**
   * How long the same digits to the same number are refused with code 6 ("same content to one
   * number within the prescribed time"). Default 30 s; 0 turns the rule off.
   */
  repeatWindowMs?: number;
  /** The clock (tests move it instead of waiting). */
  now?: () => number;
}

/** The simulator's account, mutable so tests can drain it or change the delay. */
export interface VoiceOtpSimState {
  balance: number;
  settleAfterMs: number;
  /** How long each `checkVoice` takes to answer (tests of concurrent checks). Default 0. */
  checkDelayMs: number;
  /** `checkVoice` requests being answered now, and the most there ever were at once. */
  checksInFlight: number;
  maxChecksInFlight: number;
}

export type VoiceOtpSimulator = SimulatorServer & {
  calls: SimVoiceCall[];
  state: VoiceOtpSimState;
};

/**
 * The vendor's own codes by phone ending (last seven digits), at `postSMS`:
 * `00001NN` answers code NN and `00002NN` code -NN, for each code the document lists (e.g.
 * `0930000114` answers 14, `0930000208` answers -8). `0000127` bills the call and answers 27
 * (outcome unknown). `0000323`: the call is placed and fails (checkVoice ends at 23); `0000327`:
 * the call is placed and stays pending for ever.
 */
export function magicVendorCode(phone: string): string | null {
  const tail = phone.replace(/\D/g, '').slice(-7);
  const match = /^0000([12])(\d\d)$/.exec(tail);
  if (!match) return null;
  const code = String((match[1] === '2' ? -1 : 1) * Number(match[2]));
  return code in POST_SMS_CODES ? code : null;
}

function settlesAs(phone: string): SimVoiceCall['settlesAs'] {
  const tail = phone.replace(/\D/g, '').slice(-7);
  if (tail === '0000323') return 'FAILED';
  if (tail === '0000327') return null;
  return 'ANSWERED';
}

/**
 * A voice OTP vendor that behaves like the real one: checks the account (username, pass, key)
 * and the declared sender, the phone's form and the digits, keeps every placed call and a
 * balance that each call spends, refuses the same digits to the same number within a window,
 * and moves a call from pending to answered (or failed) once `settleAfterMs` has passed.
 *
 * The kit's magic numbers apply at `postSMS`: 0000001 answers 7 (the subscriber refuses),
 * 0000002 answers 503, 0000003 hangs, 0000004 answers garbage, 0000005 places the call then
 * hangs (billed, reply lost), 0000006 hangs without placing the first call to the number and
 * places the next. The vendor's own codes: see `magicVendorCode`.
 */
export function createVoiceOtpSimulator(options: VoiceOtpSimulatorOptions): VoiceOtpSimulator {
  const now = options.now ?? Date.now;
  const cost = options.callCost ?? 1;
  const repeatWindowMs = options.repeatWindowMs ?? 30_000;
  const state: VoiceOtpSimState = {
    balance: options.balance ?? 1000,
    settleAfterMs: options.settleAfterMs ?? 5_000,
    checkDelayMs: 0,
    checksInFlight: 0,
    maxChecksInFlight: 0,
  };
  const calls: SimVoiceCall[] = [];
  const hungOnce = new Set<string>();

  const code = (value: string): SimReply => text(200, value);
  const balanceRefused = json(200, { errorcode: '0', balance: 0 });

  const place = (phone: string, message: string, requestId: string | null): SimVoiceCall => {
    const call: SimVoiceCall = {
      requestId,
      phone,
      message,
      placedAt: now(),
      settlesAs: settlesAs(phone),
      checks: 0,
    };
    calls.push(call);
    state.balance -= cost;
    return call;
  };

  const statusOf = (call: SimVoiceCall): VoiceCallStatus =>
    call.settlesAs && now() - call.placedAt >= state.settleAfterMs ? call.settlesAs : 'PENDING';

  const codeOfStatus = Object.fromEntries(
    Object.entries(CALL_STATUS_CODES).map(([c, s]) => [s, c]),
  ) as Record<VoiceCallStatus, string>;

  const server = new SimulatorServer({
    name: 'voiceOtp',
    ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
    authorize: (req, read) => {
      if (!read || typeof read !== 'object') return null;
      const account = read as Record<string, unknown>;
      if (
        account.username === options.username &&
        account.pass === options.password &&
        account.key === options.key
      ) {
        return null;
      }
      // The document: -1 "user not found"; checkBalance: errorcode 0 "or wrong user/pass/key".
      return req.path === CHECK_BALANCE_PATH ? balanceRefused : code('-1');
    },
    // A body that is not the documented JSON (HTTP 400): checkBalance's errorcode 0, and the
    // others' code 11 "invalid parameters".
    badRequest: (_message, req) => {
      const { status: _, ...reply } = req.path === CHECK_BALANCE_PATH ? balanceRefused : code('11');
      return reply;
    },
    routes: [
      route({
        method: 'POST',
        path: POST_SMS_PATH,
        format: 'json',
        input: PostSmsRequest,
        handle: (body) => {
          const phone = body.phonesend;
          if (body.sender !== options.sender) return code('5');
          if (/\D/.test(phone)) return code('-4');
          if (/^01\d{9}$/.test(phone)) return code('31');
          if (!/^0[35789]\d{8}$/.test(phone)) return code('10');
          // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is the point
          if (/[^\x00-\x7f]/.test(body.message)) return code('20');
          if (!VOICE_CODE.test(body.message)) return code('11');

          const sandboxed = sandbox(phone);
          const refused = sandboxed.failure(() => code('7'));
          if (refused) return refused;
          const first = !hungOnce.has(phone);
          hungOnce.add(phone);
          sandboxed.hangIf('hang-once', first);
          const magic = magicVendorCode(phone);
          if (magic && magic !== OUTCOME_UNKNOWN) return code(magic);

          if (repeatWindowMs > 0) {
            const last = calls.findLast((c) => c.phone === phone && c.message === body.message);
            if (last && now() - last.placedAt < repeatWindowMs) return code('6');
          }
          if (state.balance < cost) return code('-8');

          if (magic === OUTCOME_UNKNOWN) {
            // The carrier gateway flickered: billed, not refunded, no id to follow it with.
            place(phone, body.message, null);
            return code(OUTCOME_UNKNOWN);
          }
          const call = place(phone, body.message, randomUUID());
          sandboxed.hangIf('act-then-hang');
          return code(`${ACCEPTED},,,${call.requestId}`);
        },
      }),
      route({
        method: 'POST',
        path: CHECK_VOICE_PATH,
        format: 'json',
        input: CheckVoiceRequest,
        handle: async (body) => {
          state.checksInFlight += 1;
          state.maxChecksInFlight = Math.max(state.maxChecksInFlight, state.checksInFlight);
          try {
            if (state.checkDelayMs > 0) {
              await new Promise((r) => setTimeout(r, state.checkDelayMs));
            }
          } finally {
            state.checksInFlight -= 1;
          }
          const call = calls.find((c) => c.requestId !== null && c.requestId === body.request_id);
          // The document names no code for an unknown request id; 11 is "invalid parameters".
          if (!call) return code('11');
          call.checks += 1;
          return code(codeOfStatus[statusOf(call)]);
        },
      }),
      route({
        method: 'POST',
        path: CHECK_BALANCE_PATH,
        format: 'json',
        input: CheckBalanceRequest,
        handle: () => json(200, { errorcode: '1', balance: state.balance }),
      }),
    ],
  });
  return Object.assign(server, { calls, state });
}
