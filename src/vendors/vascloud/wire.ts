import { type X2jOptions, XMLBuilder, XMLParser, type XmlBuilderOptions } from 'fast-xml-parser';
import { z } from 'zod';
import { isPhoneNumber, parsePhone } from '../../domain/phone.js';
import type { VasEvent } from '../../domain/vas.js';

/**
 * VAS cloud XML API wire shapes (vendor-docs/README.md §3, `vascloud-xml.md`). Element names and
 * spellings are the vendor's own (`queueID`, `service_id`, `subcribeTime`, ...). Every value is a
 * string: an MSISDN, an id or `"00"` keeps its exact text.
 */

export const CHECK_PATH = '/vascloud/v1/notify_check.html';
export const REG_PATH = '/vascloud/v1/notify_reg.html';
/** Where the SDP notifies us when `VASCLOUD_CP_URL` is unset (the path of the document's cpURL). */
export const DEFAULT_NOTIFY_PATH = '/vascloud/v1/notify_sub';

export const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';
export const CHECK_SERVICE_INFO = 'CheckServiceInfo';
/** `error_id` 0 is success; the document names 1 ("Lỗi") as the only other code. */
export const VAS_OK = '0';
export const VAS_ERROR = '1';

/**
 * True for `error_id` 0. Read as a number so that `00` is success too: taking a registration
 * that went through for a refusal would leave a charged subscriber recorded as failed. The
 * text itself is kept as sent wherever it is surfaced.
 */
export function isVasSuccess(errorId: string): boolean {
  return /^0+$/.test(errorId);
}

/** `regType`: 1 registers, 2 cancels. */
export const REG_TYPES = { register: '1', cancel: '2' } as const;
export type VasAction = keyof typeof REG_TYPES;

/**
 * Elements that may repeat, by path. No element of this vendor's messages does: a repeated one
 * stays an array and fails its schema instead of silently keeping the first or the last.
 */
const REPEATED_ELEMENTS: ReadonlySet<string> = new Set<string>();

/**
 * How every VAS cloud message is read, replies and the SDP's notifications alike: no value is
 * converted (`parseTagValue: false`), no entity is expanded (`processEntities: false`; a DOCTYPE
 * is refused before this parser sees the body), the `<?xml?>` declaration is dropped, and
 * attributes (`<RPLY name="...">`) are kept under `@_`. Reserved names such as `<__proto__>` make
 * fast-xml-parser throw, which reads as a malformed message.
 */
export const VASCLOUD_XML_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  strictReservedNames: true,
  isArray: (_name, jPath) => typeof jPath === 'string' && REPEATED_ELEMENTS.has(jPath),
} as const satisfies X2jOptions;

/** Requests are built with the same attribute convention; values are escaped (`&` → `&amp;`). */
export const VASCLOUD_XML_BUILD_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
  format: false,
} as const satisfies XmlBuilderOptions;

const parser = new XMLParser(VASCLOUD_XML_OPTIONS);
const builder = new XMLBuilder(VASCLOUD_XML_BUILD_OPTIONS);

export type XmlRefusal = 'doctype' | 'malformed';

/** A message that is not one well-formed XML document this gateway is willing to read. */
export class VasXmlError extends Error {
  override name = 'VasXmlError';
  constructor(
    readonly reason: XmlRefusal,
    message: string,
  ) {
    super(message);
  }
}

// A DTD is where entities are declared (billion laughs, external entities): refused unread.
const DTD = /<!(DOCTYPE|ENTITY)/i;

/** Reads one XML message; throws `VasXmlError` for a DOCTYPE or a malformed body. */
export function parseVasXml(body: string): Record<string, unknown> {
  if (DTD.test(body)) throw new VasXmlError('doctype', 'a DOCTYPE is not accepted');
  if (!body.trimStart().startsWith('<')) {
    throw new VasXmlError('malformed', 'the body is not XML');
  }
  let value: unknown;
  try {
    value = parser.parse(body, true);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new VasXmlError('malformed', `malformed XML: ${detail}`);
  }
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) {
    throw new VasXmlError('malformed', 'the body holds no XML element');
  }
  return value as Record<string, unknown>;
}

export function buildVasXml(message: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(message)}`;
}

const digits = z.string().regex(/^\d+$/, 'expected digits');
const id = z.string().min(1);
/** `84` and the nine digits of a Vietnamese mobile number (`parsePhone`), e.g. `84912555755`. */
export const Msisdn = z
  .string()
  .regex(/^84\d{9}$/, 'msisdn must be 84XXXXXXXXX')
  .refine(isPhoneNumber, 'msisdn is not a Vietnamese mobile number');
/** An element that may be empty (`<updateTime/>` reads as `""`). */
const text = z.string();

// ---- CheckServiceInfo: /vascloud/v1/notify_check.html ----

export const CheckServiceInfoRequest = z.object({
  RQST: z.object({
    name: z.literal(CHECK_SERVICE_INFO),
    requestid: digits,
    msisdn: Msisdn,
    service: id,
    package: id,
    note: text,
    service_url: text,
    channel: id,
  }),
});
export type CheckServiceInfoRequest = z.infer<typeof CheckServiceInfoRequest>;

/**
 * The reply echoes the request's ids. An error reply (`Sai hoac thieu tham so`) may not be able
 * to echo them, so they are optional here and required of a success by the mapper.
 */
export const CheckServiceInfoReply = z.object({
  RPLY: z.object({
    '@_name': z.literal(CHECK_SERVICE_INFO),
    requestid: text.optional(),
    msisdn: text.optional(),
    service: text.optional(),
    package: text.optional(),
    status: text.optional(),
    error_id: digits,
    error_desc: text.optional(),
  }),
});
export type CheckServiceInfoReply = z.infer<typeof CheckServiceInfoReply>;

// ---- notify_reg: /vascloud/v1/notify_reg.html, and the SDP's notification to our cpURL ----

/** What heads an `ACCESSGW` message, before its `COMMAND`. */
interface AccessGwHead<M extends string, T extends string> {
  MODULE: M;
  MESSAGE_TYPE: T;
}

/** The `SDP` `NOTIFY` message: the partner's notify_reg, and the SDP's notification. */
const NOTIFY = { MODULE: 'SDP', MESSAGE_TYPE: 'NOTIFY' } as const;
/** The `SDP NOTIFIER` `RESPONSE`: the answer to a `NOTIFY`. */
const NOTIFIER_RESPONSE = { MODULE: 'SDP NOTIFIER', MESSAGE_TYPE: 'RESPONSE' } as const;

/** An `ACCESSGW` message of this head around its command, as it is read. */
function accessGw<M extends string, T extends string, C extends z.ZodType>(
  head: AccessGwHead<M, T>,
  command: C,
) {
  return z.object({
    ACCESSGW: z.object({
      MODULE: z.literal(head.MODULE),
      MESSAGE_TYPE: z.literal(head.MESSAGE_TYPE),
      COMMAND: command,
    }),
  });
}

/** Builds an `ACCESSGW` message: its head, then the command's elements in the order of its keys. */
function buildAccessGw(head: AccessGwHead<string, string>, command: object): string {
  return buildVasXml({ ACCESSGW: { ...head, COMMAND: command } });
}

/** The `<COMMAND>` of an `ACCESSGW` `NOTIFY` message, every documented element. */
export const NotifyCommand = z.object({
  queueID: digits,
  resultCode: text,
  errorDesc: text,
  startTime: text,
  startTimeCP: text,
  cpURL: text,
  regID: text,
  msisdn: Msisdn,
  regType: z.enum([REG_TYPES.register, REG_TYPES.cancel]),
  channel: text,
  service_id: id,
  package_id: id,
  originalprice: text,
  price: text,
  commandcode: text,
  serviceCode: text,
  packageCode: text,
  subpackageCode: text,
  autoRenew: z.enum(['0', '1', '']),
  subcribeTime: text,
  expiredTime: text,
  updateTime: text,
});
export type NotifyCommand = z.infer<typeof NotifyCommand>;

export const NotifyMessage = accessGw(NOTIFY, NotifyCommand);
export type NotifyMessage = z.infer<typeof NotifyMessage>;

/**
 * Builds an `SDP` `NOTIFY` message: the partner's notify_reg and the SDP's notification alike.
 * Its elements go out in the order of `command`'s keys, which is the document's.
 */
export function buildNotifyMessage(command: NotifyCommand): string {
  return buildAccessGw(NOTIFY, command);
}

/** The `SDP NOTIFIER` `RESPONSE`: the SDP's answer to notify_reg, and ours to its notification. */
export const NotifierResponse = accessGw(
  NOTIFIER_RESPONSE,
  z.object({
    error_id: digits,
    error_desc: text.optional(),
    queueID: text.optional(),
    msisdn: text.optional(),
    service_id: text.optional(),
    package_id: text.optional(),
  }),
);
export type NotifierResponse = z.infer<typeof NotifierResponse>;

export interface NotifierEcho {
  queueID: string;
  msisdn: string;
  service_id: string;
  package_id: string;
}

/** Builds a `SDP NOTIFIER` `RESPONSE`, element order as in the document. */
export function notifierResponse(errorId: string, errorDesc: string, echo: NotifierEcho): string {
  return buildAccessGw(NOTIFIER_RESPONSE, { error_id: errorId, error_desc: errorDesc, ...echo });
}

// ---- Domain types and pure mappers ----

/**
 * A registration or cancellation the SDP reports (e.g. an SMS `DK L1`), in the gateway's terms:
 * what the VAS ledger records of it (`VasEvent`: the SDP's `queueId`, which a replay carries
 * again; the subscriber's `phone` in local form; the SDP's `resultCode`, `"0"` when it went
 * through; ...), then the rest of the message.
 */
export interface VasNotification
  extends Pick<
    VasEvent,
    | 'queueId'
    | 'phone'
    | 'serviceId'
    | 'packageId'
    | 'channel'
    | 'resultCode'
    | 'errorDesc'
    | 'commandCode'
    | 'price'
    | 'autoRenew'
  > {
  action: VasAction;
  msisdn: string;
  regId: string;
  serviceCode: string;
  packageCode: string;
  subpackageCode: string;
  originalPrice: string;
  /** `subcribeTime` and `expiredTime` (Vietnam time), null when absent or unreadable. */
  subscribedAt: Date | null;
  expiresAt: Date | null;
  /** The vendor's texts as sent, for the record. */
  raw: { subcribeTime: string; expiredTime: string; updateTime: string; startTime: string };
}

export function toNotification(command: NotifyCommand): VasNotification {
  return {
    queueId: command.queueID,
    action: command.regType === REG_TYPES.register ? 'register' : 'cancel',
    msisdn: command.msisdn,
    phone: parsePhone(command.msisdn).local,
    serviceId: command.service_id,
    packageId: command.package_id,
    channel: command.channel,
    resultCode: command.resultCode,
    errorDesc: command.errorDesc,
    regId: command.regID,
    commandCode: command.commandcode,
    serviceCode: command.serviceCode,
    packageCode: command.packageCode,
    subpackageCode: command.subpackageCode,
    price: command.price,
    originalPrice: command.originalprice,
    autoRenew: command.autoRenew === '' ? null : command.autoRenew === '1',
    subscribedAt: parseVnTime(command.subcribeTime),
    expiresAt: parseVnTime(command.expiredTime),
    raw: {
      subcribeTime: command.subcribeTime,
      expiredTime: command.expiredTime,
      updateTime: command.updateTime,
      startTime: command.startTime,
    },
  };
}

const VN_OFFSET_MS = 7 * 3_600_000;

/** `yyyyMMddHHmmss` in Vietnam time (UTC+7), as the document's times are. */
export function formatVnTime(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().replace(/\D/g, '').slice(0, 14);
}

export function parseVnTime(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return null;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - VN_OFFSET_MS);
  // Reject 20171332... rather than let Date roll it over.
  return formatVnTime(at) === value ? at : null;
}
