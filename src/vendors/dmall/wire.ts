import { z } from 'zod';

/** dmall partner API wire shapes (vendor-docs/README.md §1). */

export const GET_OTP_PATH = '/api-customer/public/order/partner/get-otp';
export const REGISTER_PATH = '/api-customer/public/order/partner/register_with_otp';

export const DMALL_TELCOS = ['VIETTEL', 'MOBIFONE'] as const;
export type DmallTelco = (typeof DMALL_TELCOS)[number];

export const GetOtpRequest = z.object({
  phone: z.string().regex(/^0\d{9}$/, 'phone must be in local form 0XXXXXXXXX'),
  productCode: z.string().min(1),
  telcoCode: z.enum(DMALL_TELCOS),
  utmSource: z.string(),
  utmMedium: z.string(),
  utmContent: z.string(),
  utmCampaign: z.string(),
});
export type GetOtpRequest = z.infer<typeof GetOtpRequest>;

export const RegisterRequest = z.object({
  orderCode: z.string().min(1),
  otp: z.string().min(1),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

/** Every reply: `success` and `errorCode` decide, whatever the HTTP status. */
export const Envelope = z.object({
  success: z.boolean(),
  errorCode: z.union([z.number(), z.string()]),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});

export const GetOtpData = z.object({
  orderCode: z.string().min(1),
  telcoTransId: z.union([z.string().min(1), z.number()]).transform(String),
});

export const RegisterData = z.object({
  type: z.string(),
  code: z.string(),
});

/**
 * The code the dmall simulator answers when an order code was already registered. The vendor
 * document names no such code; the gateway uses it to settle an order whose first registration
 * timed out. To confirm with dmall before production.
 */
export const ALREADY_REGISTERED_CODE = '409';
