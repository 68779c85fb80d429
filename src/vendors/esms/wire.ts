import { z } from 'zod';

/** eSMS wire shapes (vendor-docs/README.md §5, `esms-oa-package.txt`). */

/** Purchase of a Zalo OA package. The trailing slash is in the vendor's URL. */
export const REGIS_OA_PACKAGE_PATH = '/MainService.svc/json/RegisOAPackageJson/';

/** The gateway's tiers and eSMS's `Package` values: strings, as the document's table says. */
export const OA_PACKAGE_TIERS = { TRIAL: '1', ADVANCED: '2', PREMIUM: '3' } as const;
export type OAPackageTier = keyof typeof OA_PACKAGE_TIERS;
export type WirePackage = (typeof OA_PACKAGE_TIERS)[OAPackageTier];

/** True for a real calendar day written `yyyy-MM-dd` (`2025-02-30` is not one). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * The request body, field names as eSMS spells them: `Duaration` (sic) and `Dateactive`. Every
 * value is a string; `Package` too, although the document's curl sample leaves it unquoted.
 */
export const RegisOAPackageRequest = z.object({
  ApiKey: z.string().min(1),
  SecretKey: z.string().min(1),
  Dateactive: z.string().refine(isCalendarDate, 'Dateactive must be a date written yyyy-MM-dd'),
  Duaration: z.string().regex(/^[1-9]\d*$/, 'Duaration must be a positive whole number'),
  OAID: z.string().trim().min(1, 'OAID is required'),
  Package: z.enum(['1', '2', '3'], 'Package must be "1", "2" or "3" (a string)'),
});
export type RegisOAPackageRequest = z.infer<typeof RegisOAPackageRequest>;

/**
 * The reply. `CodeResult` decides, whatever the HTTP status; `ServicePreviewId` may come as a
 * number (the sample) or a string (the table), and the table spells it `ServicepreviewId`.
 */
export const RegisOAPackageReply = z.object({
  CodeResult: z.union([z.string().trim().min(1), z.number().int()]).transform(String),
  ErrorMessage: z.string().nullish(),
  ServicePreviewId: z.union([z.number(), z.string()]).nullish(),
  ServicepreviewId: z.union([z.number(), z.string()]).nullish(),
});
export type RegisOAPackageReply = z.input<typeof RegisOAPackageReply>;

/** The id of an accepted purchase: a positive whole number, as a number or a string. */
const ServicePreviewId = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .trim()
      .regex(/^[1-9]\d*$/),
  ])
  .transform(String);

export const ACCEPTED_CODE = '100';
/** The same purchase is already at eSMS and being processed: this call created nothing new. */
export const ALREADY_PROCESSING_CODE = '199';

/** eSMS's refusals named in the vendor document, in the gateway's terms. */
export type EsmsRefusalReason =
  | 'BAD_CREDENTIALS'
  | 'NO_PRICE_LIST'
  | 'BALANCE_TOO_LOW'
  | 'DUPLICATE_REQUEST'
  | 'IP_NOT_ALLOWED'
  | 'ZALO_OA_PROBLEM'
  /** A code the document does not name; its message is surfaced as it came. */
  | 'OTHER';

const REFUSALS: Readonly<Record<string, EsmsRefusalReason>> = {
  '101': 'BAD_CREDENTIALS',
  '102': 'NO_PRICE_LIST',
  '103': 'BALANCE_TOO_LOW',
  '124': 'DUPLICATE_REQUEST',
  '140': 'IP_NOT_ALLOWED',
};

export function refusalReason(code: string): EsmsRefusalReason {
  const known = REFUSALS[code];
  if (known) return known;
  const n = Number(code);
  // 789 to 799: Zalo OA and template problems (the OA is not linked, not verified, ...).
  if (/^\d+$/.test(code) && n >= 789 && n <= 799) return 'ZALO_OA_PROBLEM';
  return 'OTHER';
}

/** A purchase reply in the gateway's terms. */
export type RegisOAPackageOutcome =
  | { kind: 'accepted'; servicePreviewId: string; message: string | null }
  | { kind: 'already-processing'; servicePreviewId: string | null; message: string | null }
  | { kind: 'refused'; vendorCode: string; reason: EsmsRefusalReason; message: string | null };

/**
 * Maps a reply body (parsed JSON) to its outcome. Throws (a zod error) when the body is not the
 * documented shape, or when an accepted purchase comes without its id.
 */
export function toOutcome(body: unknown): RegisOAPackageOutcome {
  const reply = RegisOAPackageReply.parse(body);
  const rawId = reply.ServicePreviewId ?? reply.ServicepreviewId ?? null;
  const message = reply.ErrorMessage?.trim() ? reply.ErrorMessage : null;
  if (reply.CodeResult === ACCEPTED_CODE) {
    return { kind: 'accepted', servicePreviewId: ServicePreviewId.parse(rawId), message };
  }
  if (reply.CodeResult === ALREADY_PROCESSING_CODE) {
    const id = ServicePreviewId.safeParse(rawId);
    return { kind: 'already-processing', servicePreviewId: id.success ? id.data : null, message };
  }
  return {
    kind: 'refused',
    vendorCode: reply.CodeResult,
    reason: refusalReason(reply.CodeResult),
    message,
  };
}
