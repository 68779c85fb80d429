import { z } from 'zod';

/**
 * Voice OTP wire shapes (vendor-docs/README.md §4, `voice-otp.txt`). Every call is a `POST` with
 * a JSON body; `postSMS` and `checkVoice` answer plain text (a code), `checkBalance` answers JSON.
 */

export const POST_SMS_PATH = '/onsmsapivoice/postSMS';
export const CHECK_VOICE_PATH = '/onsmsapivoice/checkVoice';
export const CHECK_BALANCE_PATH = '/onsmsapivoice/checkBalance';

/** What the vendor reads a call's code from: digits only, 1 to 6 of them. */
export const VOICE_CODE = /^\d{1,6}$/;
/** The phone form the vendor wants: local, `0XXXXXXXXX`. */
export const LOCAL_PHONE = /^0\d{9}$/;

/**
 * `postSMS`: places a call that reads `message` to `phonesend`. The field checks on the values
 * (phone form, digits only) are the vendor's, answered with its codes, not a malformed request.
 */
export const PostSmsRequest = z.object({
  username: z.string(),
  pass: z.string(),
  sender: z.string(),
  key: z.string(),
  phonesend: z.string(),
  message: z.string(),
});
export type PostSmsRequest = z.infer<typeof PostSmsRequest>;

export const CheckVoiceRequest = z.object({
  username: z.string(),
  pass: z.string(),
  key: z.string(),
  request_id: z.string(),
});
export type CheckVoiceRequest = z.infer<typeof CheckVoiceRequest>;

export const CheckBalanceRequest = z.object({
  username: z.string(),
  pass: z.string(),
  key: z.string(),
});
export type CheckBalanceRequest = z.infer<typeof CheckBalanceRequest>;

/** `{"errorcode":"1","balance":10}`; the code and the balance may come as strings or numbers. */
export const CheckBalanceReply = z.object({
  errorcode: z.union([z.string(), z.number()]).transform((c) => String(c).trim()),
  balance: z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^-?\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .optional(),
});
export type CheckBalanceReply = z.infer<typeof CheckBalanceReply>;

export const BALANCE_OK = '1';
/** `errorcode` `"0"`: the check failed, or the username, pass or key is wrong. */
export const BALANCE_REFUSED = '0';

/** One of the vendor's plain-text replies, read leniently. */
export interface TextReply {
  /** The signed integer code, as text without a sign for positives: `'1'`, `'-8'`, `'27'`. */
  code: string;
  /** The last non-empty field after the code, when there is one (`postSMS` accepted). */
  requestId: string | null;
}

/**
 * Reads `RESULT: code,,,request_id`, `code,,,request_id`, `code;request_id` or `code` alone,
 * with spaces anywhere between tokens: an optional `RESULT:` prefix, a signed integer code,
 * fields split by `,` or `;`, the request id being the last non-empty field. Throws (a bad
 * response) on anything else, without quoting the body.
 */
export function parseTextReply(body: string): TextReply {
  const text = body.trim().replace(/^RESULT\s*:/i, '');
  const fields = text.split(/[,;]/).map((f) => f.trim());
  const head = fields[0] ?? '';
  if (!/^[+-]?\d{1,6}$/.test(head)) {
    throw new Error('the reply is not a voice OTP result code');
  }
  const rest = fields.slice(1).filter((f) => f !== '');
  const requestId = rest.at(-1) ?? null;
  if (requestId !== null && /\s/.test(requestId)) {
    throw new Error('the reply has a request id with spaces in it');
  }
  return { code: String(Number(head)), requestId };
}

/** The stable names the gateway gives the vendor's refusal codes. */
export type VoiceOtpReason =
  | 'USER_NOT_FOUND'
  | 'IP_NOT_ALLOWED'
  | 'INVALID_PHONE'
  | 'SYSTEM_ERROR'
  | 'BALANCE_TOO_LOW'
  | 'BRANDNAME_NOT_DECLARED'
  | 'REPEATED_CONTENT'
  | 'SUBSCRIBER_REFUSES'
  | 'TEMPLATE_NOT_DECLARED'
  | 'INVALID_PARAMETERS'
  | 'ACCOUNT_EXPIRED'
  | 'SERVICE_EXPIRED'
  | 'UNICODE_NOT_ENABLED'
  | 'ACCOUNT_NOT_ACTIVATED'
  | 'WRONG_SYNTAX'
  | 'CARRIER_GATEWAY_ERROR'
  | 'OLD_ELEVEN_DIGIT_NUMBER'
  | 'BALANCE_CHECK_REFUSED'
  | 'UNLISTED_CODE';

export interface VoiceOtpCode {
  reason: VoiceOtpReason;
  /** The document's English reading. */
  en: string;
  /** The document's own Vietnamese text (the vendor sends only the number). */
  vi: string;
}

/** `postSMS` accepted the call: `1,,,request_id`. */
export const ACCEPTED = '1';
/** `postSMS`: the carrier gateway failed; the call may have been placed, and is not refunded. */
export const OUTCOME_UNKNOWN = '27';

/** One row of the table below: the gateway's reason, the English reading, the document's text. */
const code = (reason: VoiceOtpReason, en: string, vi: string): VoiceOtpCode => ({ reason, en, vi });

/** Every refusal code the document lists for `postSMS` (both of its tables). */
export const POST_SMS_CODES: Readonly<Record<string, VoiceOtpCode>> = {
  '-1': code('USER_NOT_FOUND', 'User not found', 'Sai thông tin user'),
  '-2': code('IP_NOT_ALLOWED', 'IP not allowed', 'IP chưa được phép'),
  '-4': code('INVALID_PHONE', 'Incorrect phone format', 'Số điện thoại không đúng định dạng'),
  '-5': code('SYSTEM_ERROR', 'System error', 'Lỗi hệ thống'),
  '-6': code('SYSTEM_ERROR', 'System error', 'Lỗi hệ thống'),
  '-8': code('BALANCE_TOO_LOW', 'Account balance too low', 'Tài khoản không đủ'),
  '5': code('BRANDNAME_NOT_DECLARED', 'Brandname not declared', 'Chưa khai báo brandname/dịch vụ'),
  '6': code(
    'REPEATED_CONTENT',
    'The same content was sent to this number too recently',
    'Lặp nội dung: tin nhắn gửi cùng nội dung đến 1 SĐT trong thời gian quy định',
  ),
  '7': code(
    'SUBSCRIBER_REFUSES',
    'The subscriber refuses these messages',
    'Thuê bao từ chối nhận tin',
  ),
  '9': code(
    'TEMPLATE_NOT_DECLARED',
    'Template not declared or not approved',
    'Chưa khai báo template',
  ),
  '10': code(
    'INVALID_PHONE',
    'Wrong number format (missing or extra digits, wrong area code)',
    'Định dạng thuê bao không đúng',
  ),
  '11': code('INVALID_PARAMETERS', 'Invalid parameters', 'Có tham số không hợp lệ'),
  '14': code('BALANCE_TOO_LOW', 'Balance too low to send', 'Tài khoản không đủ (tiền)'),
  '15': code('ACCOUNT_EXPIRED', 'Account expired', 'Tài khoản hết hạn'),
  '16': code('SERVICE_EXPIRED', 'Service expired', 'Hết hạn dịch vụ'),
  '20': code(
    'UNICODE_NOT_ENABLED',
    'Unicode not enabled for the account',
    'Gateway chưa hỗ trợ Unicode',
  ),
  '22': code('ACCOUNT_NOT_ACTIVATED', 'Account not activated', 'Tài khoản chưa kích hoạt'),
  '23': code('WRONG_SYNTAX', 'Wrong message syntax', 'Sai cú pháp tin nhắn'),
  [OUTCOME_UNKNOWN]: code(
    'CARRIER_GATEWAY_ERROR',
    'Carrier gateway error; the outcome is unknown and not refunded',
    'Gửi tin: gate trả mã lỗi (trạng thái chưa xác định, không hoàn tiền)',
  ),
  '31': code(
    'OLD_ELEVEN_DIGIT_NUMBER',
    'Old 11-digit number, since converted',
    'Gửi tin thất bại: đầu số 11 số đã chuyển đổi',
  ),
};

/** `checkVoice`'s three documented codes: the call's status. */
export const CALL_STATUS_CODES = {
  '1': 'ANSWERED',
  '27': 'PENDING',
  '23': 'FAILED',
} as const satisfies Record<string, string>;

export type VoiceCallStatus = (typeof CALL_STATUS_CODES)[keyof typeof CALL_STATUS_CODES];

/**
 * `postSMS` in the gateway's terms: accepted with a request id, or a refusal code (a listed one
 * or not; the client decides what each means).
 */
export type PostSmsOutcome =
  | { kind: 'accepted'; requestId: string }
  | { kind: 'refused'; code: string };

export function toPostSmsOutcome(reply: TextReply): PostSmsOutcome {
  if (reply.code !== ACCEPTED) return { kind: 'refused', code: reply.code };
  // Accepted without a request id: the call exists but cannot be followed, so a bad reply.
  if (!reply.requestId) throw new Error('postSMS accepted the call without a request id');
  return { kind: 'accepted', requestId: reply.requestId };
}

/** `checkVoice` in the gateway's terms: a status, or a refusal code. */
export type CheckVoiceOutcome =
  | { kind: 'status'; status: VoiceCallStatus; code: string }
  | { kind: 'refused'; code: string };

export function toCheckVoiceOutcome(reply: TextReply): CheckVoiceOutcome {
  const status = (CALL_STATUS_CODES as Record<string, VoiceCallStatus>)[reply.code];
  return status
    ? { kind: 'status', status, code: reply.code }
    : { kind: 'refused', code: reply.code };
}

/** `checkBalance` in the gateway's terms. */
export type CheckBalanceOutcome =
  | { kind: 'balance'; balance: number }
  | { kind: 'refused'; code: string };

export function toCheckBalanceOutcome(reply: CheckBalanceReply): CheckBalanceOutcome {
  if (reply.errorcode !== BALANCE_OK) return { kind: 'refused', code: reply.errorcode };
  if (reply.balance === undefined) throw new Error('checkBalance succeeded without a balance');
  return { kind: 'balance', balance: reply.balance };
}
