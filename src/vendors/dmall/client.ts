import { type VendorCall, VendorError, type VendorHttp, type VendorReply } from '../http.js';
import {
  Envelope,
  GET_OTP_PATH,
  GetOtpData,
  type GetOtpRequest,
  REGISTER_PATH,
  RegisterData,
} from './wire.js';

export interface DmallOtpIssued {
  orderCode: string;
  telcoTransId: string;
  message: string | null;
}

export interface DmallRegistered {
  type: string;
  code: string;
  message: string | null;
}

export interface DmallClientOptions {
  http: VendorHttp;
  apiKey: string;
}

/**
 * dmall partner API. Both calls create something at the vendor (an OTP text, a registration),
 * so neither is ever retried here.
 */
export class DmallClient {
  constructor(private readonly opts: DmallClientOptions) {}

  getOtp(request: GetOtpRequest): Promise<DmallOtpIssued> {
    return this.opts.http.call(
      this.post('get-otp', GET_OTP_PATH, request, request.phone, (reply) => {
        const data = GetOtpData.parse(expectSuccess(reply).data);
        return { ...data, message: expectSuccess(reply).message ?? null };
      }),
    );
  }

  registerWithOtp(orderCode: string, otp: string): Promise<DmallRegistered> {
    return this.opts.http.call(
      this.post('register-with-otp', REGISTER_PATH, { orderCode, otp }, undefined, (reply) => {
        const envelope = expectSuccess(reply);
        return { ...RegisterData.parse(envelope.data), message: envelope.message ?? null };
      }),
    );
  }

  private post<T>(
    operation: string,
    path: string,
    body: object,
    phone: string | undefined,
    parse: (reply: VendorReply) => T,
  ): VendorCall<T> {
    return {
      operation,
      path,
      method: 'POST',
      headers: { 'api-key': this.opts.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      safeToRepeat: false,
      // dmall says no with a JSON body, whatever the status; 5xx stays an HTTP failure.
      acceptStatus: (status) => status < 500,
      parse,
      ...(phone ? { phone } : {}),
    };
  }
}

function expectSuccess(reply: VendorReply) {
  const parsed = Envelope.safeParse(safeJson(reply.body));
  if (!parsed.success && reply.status >= 400) {
    // A refusal without dmall's envelope (a proxy's 401/403/404 page): refused, so not acted on.
    throw new VendorError({
      vendor: 'dmall',
      code: 'VENDOR_HTTP',
      status: reply.status,
      message: `dmall answered HTTP ${reply.status}`,
      outcomeUnknown: false,
    });
  }
  if (!parsed.success) throw parsed.error;
  const envelope = parsed.data;
  if (envelope.success !== true || String(envelope.errorCode) !== '200') {
    throw new VendorError({
      vendor: 'dmall',
      code: 'VENDOR_REJECTED',
      status: reply.status,
      vendorCode: String(envelope.errorCode),
      vendorMessage: envelope.message ?? null,
      message: envelope.message ?? `dmall refused the request (${envelope.errorCode})`,
      outcomeUnknown: false,
    });
  }
  return envelope;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
