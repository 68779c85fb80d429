import { errorClasses } from '../domain/errors.js';
import { otpExpiresAt } from '../domain/order.js';
import { REGISTER_WITH_OTP_ERRORS, REQUEST_OTP_ERRORS } from '../services/dmall-sales.js';
import { builder } from './builder.js';
import { idempotencyKeyField } from './idempotency-key.js';
import { OrderRef } from './order.js';
import { asSeenBy } from './records.js';
import { SENSITIVE } from './sensitive.js';

/** A value a success result always has; its absence is a bug, reported as an unexpected error. */
function present<T>(value: T | null, field: string): T {
  if (value === null) throw new Error(`A success result has no ${field}`);
  return value;
}

builder.mutationType({
  description:
    'Actions. A document may hold at most one field that sends an OTP, spends money or checks a code.',
});

const UtmInput = builder.inputType('UtmInput', {
  description: 'Campaign tags passed to the vendor; each at most 200 characters.',
  fields: (t) => ({
    source: t.string({ required: false, description: 'utmSource.' }),
    medium: t.string({ required: false, description: 'utmMedium.' }),
    content: t.string({ required: false, description: 'utmContent.' }),
    campaign: t.string({ required: false, description: 'utmCampaign.' }),
  }),
});

const RequestOtpInput = builder.inputType('RequestOtpInput', {
  description: 'Step 2: ask the telco to text the subscriber an OTP for a package.',
  fields: (t) => ({
    phone: t.string({ required: true, description: 'The subscriber, in any phone form.' }),
    packageCode: t.string({ required: true, description: 'A package code from eligiblePackages.' }),
    utm: t.field({ type: UtmInput, required: false, description: 'Campaign tags.' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

const RegisterWithOtpInput = builder.inputType('RegisterWithOtpInput', {
  description: 'Step 3: register the package with the OTP the subscriber received.',
  fields: (t) => ({
    orderCode: t.string({ required: true, description: 'The orderCode from requestOtp.' }),
    otp: t.string({ required: true, description: 'The code the subscriber received (digits).' }),
    idempotencyKey: idempotencyKeyField(t),
  }),
});

builder.mutationField('requestOtp', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { sales: true },
    type: OrderRef,
    description:
      'Step 2 of a sale: records an order, then asks dmall to have the telco text an OTP to the subscriber. Limited per phone and per client.',
    args: { input: t.arg({ type: RequestOtpInput, required: true, description: 'The request.' }) },
    errors: {
      types: errorClasses(REQUEST_OTP_ERRORS),
      union: { name: 'RequestOtpResult', description: 'The order with its OTP sent, or why not.' },
      result: {
        name: 'RequestOtpSuccess',
        description: 'The OTP was sent.',
        // Nullable on Order (an order whose OTP request failed has neither), always here.
        fields: (t) => ({
          orderCode: t.string({
            description: 'The vendor’s order code (`DG...`): pass it to registerWithOtp.',
            resolve: (o) => present(o.orderCode, 'orderCode'),
          }),
          otpExpiresAt: t.field({
            type: 'DateTime',
            description: 'When the OTP stops being usable.',
            resolve: (o, _args, ctx) =>
              otpExpiresAt(
                { ...o, otpSentAt: present(o.otpSentAt, 'otpSentAt') },
                ctx.config.otp.validitySeconds,
              ),
          }),
        }),
      },
      dataField: { name: 'order', description: 'The order, in OTP_SENT.' },
    },
    resolve: (_root, { input }, ctx) =>
      asSeenBy(ctx, () => ctx.sales.requestOtp(ctx.clientId, input)),
  }),
);

builder.mutationField('registerWithOtp', (t) =>
  t.field({
    // Sends an OTP or a call, spends money, or checks a code: one per document.
    extensions: SENSITIVE,
    authScopes: { sales: true },
    type: OrderRef,
    description:
      'Step 3 of a sale: registers the package with the OTP. A wrong OTP counts against the order’s attempts; an expired order is refused without calling the vendor. An UNKNOWN order may be registered again with the same order code to settle it.',
    args: {
      input: t.arg({ type: RegisterWithOtpInput, required: true, description: 'The request.' }),
    },
    errors: {
      types: errorClasses(REGISTER_WITH_OTP_ERRORS),
      union: { name: 'RegisterWithOtpResult', description: 'The registered order, or why not.' },
      result: {
        name: 'RegisterWithOtpSuccess',
        description: 'The package is registered.',
        // Nullable on Order (null until REGISTERED), always here.
        fields: (t) => ({
          registeredAt: t.field({
            type: 'DateTime',
            description: 'When the registration was confirmed.',
            resolve: (o) => present(o.registeredAt, 'registeredAt'),
          }),
        }),
      },
      dataField: { name: 'order', description: 'The order, in REGISTERED.' },
    },
    resolve: (_root, { input }, ctx) =>
      ctx.sales.registerWithOtp(ctx.clientId, input, (order) => ctx.access.owns('Order', order)),
  }),
);
