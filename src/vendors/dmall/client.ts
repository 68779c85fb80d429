import type { Telco } from '../../domain/telco-prefixes.js';
import { jsonBody, jsonPost, readReply, rejection } from '../client-kit.js';
import { VendorError, type VendorHttp, type VendorReply } from '../http.js';
import {
  ALREADY_REGISTERED_CODE,
  DMALL_TELCOS,
  type DmallTelco,
  Envelope,
  GET_OTP_PATH,
  GetOtpData,
  REGISTER_PATH,
  RegisterData,
} from './wire.js';

/** An OTP request in the gateway's terms. */
export interface OtpRequest {
  /** Local form, `0XXXXXXXXX`. */
  phone: string;
  telco: Telco;
  packageCode: string;
  utm: { source: string; medium: string; content: string; campaign: string };
}

export interface DmallOtpIssued {
  orderCode: string;
  telcoTransId: string;
  message: string | null;
}

/**
 * The outcome of a registration. `already-registered`: dmall refused a second registration of the
 * order, so an earlier call (whose reply was lost) went through.
 */
export type DmallRegistration =
  | { kind: 'registered'; type: string; code: string; message: string | null }
  | { kind: 'already-registered' };

export interface DmallClientOptions {
  http: VendorHttp;
  apiKey: string;
}

/** True for the carriers dmall sells packages for (`telcoCode`). */
export function dmallSells(telco: Telco): telco is DmallTelco {
  return (DMALL_TELCOS as readonly string[]).includes(telco);
}

/**
 * dmall partner API. Both calls create something at the vendor (an OTP text, a registration),
 * so neither is ever retried here. A refusal is a `VendorError` with code `VENDOR_REJECTED`.
 */
export class DmallClient {
  /** dmall's key; it says no with a JSON body, whatever the status (`jsonPost`). */
  private readonly headers: Record<string, string>;

  constructor(private readonly opts: DmallClientOptions) {
    this.headers = { 'api-key': opts.apiKey };
  }

  async getOtp(request: OtpRequest): Promise<DmallOtpIssued> {
    const { telco } = request;
    if (!dmallSells(telco)) {
      // The eligibility rule sells nothing else; reaching here is a bug, not a vendor refusal.
      throw new Error(`dmall sells no packages for ${telco}`);
    }
    const body = {
      phone: request.phone,
      productCode: request.packageCode,
      telcoCode: telco,
      utmSource: request.utm.source,
      utmMedium: request.utm.medium,
      utmContent: request.utm.content,
      utmCampaign: request.utm.campaign,
    };
    return this.opts.http.call(
      jsonPost({
        operation: 'get-otp',
        path: GET_OTP_PATH,
        headers: this.headers,
        json: body,
        safeToRepeat: false,
        phone: request.phone,
        parse: (reply) => {
          const envelope = expectSuccess(reply);
          return { ...GetOtpData.parse(envelope.data), message: envelope.message ?? null };
        },
      }),
    );
  }

  registerWithOtp(orderCode: string, otp: string): Promise<DmallRegistration> {
    return this.opts.http.call(
      jsonPost({
        operation: 'register-with-otp',
        path: REGISTER_PATH,
        headers: this.headers,
        json: { orderCode, otp },
        safeToRepeat: false,
        parse: (reply) => {
          let envelope: ReturnType<typeof expectSuccess>;
          try {
            envelope = expectSuccess(reply);
          } catch (err) {
            if (err instanceof VendorError && err.vendorCode === ALREADY_REGISTERED_CODE) {
              return { kind: 'already-registered' as const };
            }
            throw err;
          }
          return {
            kind: 'registered' as const,
            ...RegisterData.parse(envelope.data),
            message: envelope.message ?? null,
          };
        },
      }),
    );
  }
}

function expectSuccess(reply: VendorReply) {
  const envelope = readReply('dmall', reply, (body) => Envelope.parse(jsonBody(body)));
  if (envelope.success !== true || String(envelope.errorCode) !== '200') {
    throw new VendorError(
      rejection({
        vendor: 'dmall',
        status: reply.status,
        vendorCode: String(envelope.errorCode),
        vendorMessage: envelope.message ?? null,
        fallback: `dmall refused the request (${envelope.errorCode})`,
      }),
    );
  }
  return envelope;
}
