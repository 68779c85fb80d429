import { randomUUID } from 'node:crypto';
import type { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { GET_OTP_PATH, REGISTER_PATH } from '../../src/vendors/dmall/wire.js';
import type { TestGateway } from './gateway.js';

export const ORDER_FIELDS = `
  id databaseId orderCode partnerTransId telcoTransId phone telco packageCode status otpAttempts otpAttemptsLeft
  failure { code vendorCode message } registration { type code } registeredAt createdAt
  utm { source medium content campaign } package { code price }
`;

const COMMON_FIELDS = `
  __typename
  ... on Error { code message }
  ... on VendorUnavailable { vendor reason outcomeUnknown record { ... on Order { id databaseId status orderCode failure { code vendorCode } } } }
  ... on InvalidInput { field }
`;

const REQUEST_ERRORS = `${COMMON_FIELDS}
  ... on OtpRateLimited { retryAfterSeconds limit }
  ... on OtpAlreadySent { order { id orderCode status } }
  ... on VendorRejected { vendor reason outcomeUnknown vendorCode vendorMessage record { ... on Order { id status failure { code vendorCode message } } } }
  ... on PackageNotAvailable { packageCode telco }
`;

const REGISTER_ERRORS = `${COMMON_FIELDS}
  ... on OtpIncorrect { attemptsLeft vendorCode order { status otpAttempts failure { code vendorCode } } }
  ... on OrderLocked { order { status } }
  ... on OtpExpired { order { status } }
  ... on OrderNotOpen { order { status } }
`;

export const REQUEST_OTP = `mutation ($input: RequestOtpInput!) {
  requestOtp(input: $input) { ${REQUEST_ERRORS} ... on RequestOtpSuccess { order { ${ORDER_FIELDS} } } }
}`;

export const REGISTER = `mutation ($input: RegisterWithOtpInput!) {
  registerWithOtp(input: $input) { ${REGISTER_ERRORS} ... on RegisterWithOtpSuccess { order { ${ORDER_FIELDS} } } }
}`;

export type Result = Record<string, unknown> & {
  __typename: string;
  order?: Record<string, unknown> & {
    status: string;
    orderCode: string;
    id: string;
    databaseId: string;
  };
};

/**
 * A sale's result with its order as `order` on every member: the vendor errors give it as
 * `record` (a Node), the others as `order`.
 */
export function withOrder(result: Result): Result {
  if (!('record' in result)) return result;
  const { record, ...rest } = result;
  return { ...rest, order: record as Result['order'] };
}

export function dmallSim(t: TestGateway) {
  const sim = t.gateway.sandbox.simulators.dmall as ReturnType<typeof createDmallSimulator>;
  return {
    sim,
    otpCalls: () => sim.callsTo(GET_OTP_PATH).length,
    registerCalls: () => sim.callsTo(REGISTER_PATH).length,
  };
}

export function sales(t: TestGateway, clientId = 'pos-test') {
  const headers = { 'x-client-id': clientId };
  return {
    async requestOtp(phone: string, packageCode: string, key: string = randomUUID(), extra = {}) {
      const res = await t.graphql<{ requestOtp: Result }>(
        REQUEST_OTP,
        { input: { phone, packageCode, idempotencyKey: key, ...extra } },
        headers,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return withOrder(res.data!.requestOtp);
    },
    async register(orderCode: string, otp: string, key: string = randomUUID()) {
      const res = await t.graphql<{ registerWithOtp: Result }>(
        REGISTER,
        { input: { orderCode, otp, idempotencyKey: key } },
        headers,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return withOrder(res.data!.registerWithOtp);
    },
  };
}
