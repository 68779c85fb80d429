import type { Logger } from 'pino';
import { findPackage } from '../domain/catalog.js';
import type { EligibilityProvider } from '../domain/eligibility.js';
import {
  type ErrorName,
  InvalidInput,
  OrderLocked,
  OrderNotFound,
  OrderNotOpen,
  OtpAlreadySent,
  OtpExpired,
  OtpIncorrect,
  PackageNotAvailable,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import { type Message, message } from '../domain/messages/index.js';
import {
  attemptsLeft,
  IN_FLIGHT_STATUSES,
  isUnsettledRegistration,
  type Order,
  type OrderStatus,
  otpExpiresAt,
  secondsUntilExpiry,
  UNSETTLED_STATUS,
} from '../domain/order.js';
import type { OtpLimits } from '../domain/otp-limits.js';
import { maskPhone, parsePhone } from '../domain/phone.js';
import { LEDGER_OUTCOMES, outcomeOf, PREVIOUS, statusAfter } from '../domain/vendor-outcome.js';
import type { OrderPatch, OrderStore } from '../store/orders.js';
import type { DmallClient, DmallRegistration } from '../vendors/dmall/client.js';
import type { VendorError } from '../vendors/vendor-error.js';
import { IDEMPOTENT_ERRORS, type IdempotentRunner, readKey } from './idempotent.js';
import { type LedgerCall, LedgerCalls } from './ledger-call.js';
import type { LedgerSweep } from './ledger-sweep.js';
import { OtpClientLimiter } from './otp-client-limiter.js';

/** What `requestOtp` can answer besides the order; the schema's result union lists these. */
export const REQUEST_OTP_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  'InvalidPhoneNumber',
  'PackageNotAvailable',
  'OtpRateLimited',
  'OtpAlreadySent',
  'OtpAlreadySentElsewhere',
  'VendorRejected',
  'VendorUnavailable',
] as const satisfies readonly ErrorName[];

/** What `registerWithOtp` can answer besides the order. */
export const REGISTER_WITH_OTP_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  'OrderNotFound',
  'OtpIncorrect',
  'OrderLocked',
  'OtpExpired',
  'OrderNotOpen',
  'VendorUnavailable',
] as const satisfies readonly ErrorName[];

export interface RequestOtpInput {
  phone: string;
  packageCode: string;
  utm?: {
    source?: string | null;
    medium?: string | null;
    content?: string | null;
    campaign?: string | null;
  } | null;
  idempotencyKey?: string | null;
}

export interface RegisterWithOtpInput {
  orderCode: string;
  otp: string;
  idempotencyKey?: string | null;
}

export interface DmallSalesOptions {
  orders: OrderStore;
  idempotent: IdempotentRunner;
  dmall: DmallClient;
  /** Decides which packages a subscriber may buy; requestOtp sells nothing else. */
  eligibility: EligibilityProvider;
  otp: { validitySeconds: number; maxAttempts: number; limits: OtpLimits };
  /** Counts `limits.perClientMinute`; by default in this process's memory. */
  clientLimiter?: OtpClientLimiter;
  /** Called after every committed change of an order (live updates). */
  onChange: (order: Order) => void;
  logger: Logger;
  now?: () => Date;
}

const OTP = /^\d{4,8}$/;
const UTM_MAX = 200;

/**
 * Package sales through dmall, steps 2 and 3 of the retail programme: ask for an OTP, then
 * register with it. Every request is idempotent by key; every vendor call is preceded by a
 * committed order state and followed by one.
 */
export class DmallSales {
  private readonly now: () => Date;
  private readonly clientLimiter: OtpClientLimiter;

  private readonly calls: LedgerCalls;
  /** What every sale's ledger call shares: the order ledger, dmall, the key's saved id. */
  private readonly orders: Pick<LedgerCall<Order, unknown>, 'kind' | 'vendor' | 'savedAs' | 'find'>;

  /** The order ledger's sweep: requests cut short become UNKNOWN, OTPs past validity EXPIRED. */
  readonly ledgerSweep: LedgerSweep = {
    sweeps: 'stale orders',
    sweep: async (staleAfterMs) => {
      const changed = await this.opts.orders.sweep({
        staleAfterMs,
        validitySeconds: this.opts.otp.validitySeconds,
      });
      for (const order of changed) this.opts.onChange(order);
      return changed.length;
    },
  };

  constructor(private readonly opts: DmallSalesOptions) {
    this.now = opts.now ?? (() => new Date());
    this.clientLimiter =
      opts.clientLimiter ?? new OtpClientLimiter(opts.otp.limits.perClientMinute);
    this.calls = new LedgerCalls(opts.idempotent);
    this.orders = {
      kind: 'Order',
      vendor: 'dmall',
      savedAs: 'orderId',
      find: (id) => opts.orders.findById(id),
    };
  }

  async requestOtp(clientId: string, input: RequestOtpInput): Promise<Order> {
    const phone = parsePhone(input.phone);
    const packageCode = input.packageCode.trim().toUpperCase();
    const pkg = findPackage(packageCode);
    // The same rule as Subscriber.eligiblePackages: whatever provider decides what may be sold.
    const eligible = await this.opts.eligibility.eligiblePackages(phone);
    if (!pkg || !eligible.some((p) => p.code === pkg.code)) {
      throw new PackageNotAvailable(
        !pkg
          ? message('PackageNotAvailable.notForSale', { packageCode })
          : pkg.telco !== phone.telco
            ? message('PackageNotAvailable.otherCarrier', {
                packageCode: pkg.code,
                packageTelco: pkg.telco,
                phone: maskPhone(phone.local),
                telco: phone.telco,
              })
            : message('PackageNotAvailable.notForSubscriber', { packageCode: pkg.code }),
        packageCode,
        phone.telco,
      );
    }
    const utm = {
      source: readUtm(input.utm?.source, 'utm.source'),
      medium: readUtm(input.utm?.medium, 'utm.medium'),
      content: readUtm(input.utm?.content, 'utm.content'),
      campaign: readUtm(input.utm?.campaign, 'utm.campaign'),
    };
    const key = readKey(input.idempotencyKey);

    return this.calls.run<Order, { orderCode: string; telcoTransId: string }>({
      scope: { clientId, operation: 'requestOtp', key },
      request: { phone: phone.local, packageCode, utm },
      ...this.orders,
      record: async () => {
        const clientLimited = await this.clientLimiter.take(clientId);
        if (clientLimited) throw clientLimited;
        const created = await this.opts.orders
          .createPending(
            { clientId, phone: phone.local, telco: phone.telco, packageCode, utm },
            { limits: this.opts.otp.limits, validitySeconds: this.opts.otp.validitySeconds },
          )
          .catch(async (err: unknown) => {
            await this.clientLimiter.giveBack(clientId);
            throw err;
          });
        // Only requests that reach the vendor count toward the client's limit.
        if (created.kind !== 'created') await this.clientLimiter.giveBack(clientId);
        if (created.kind === 'limited') throw created.error;
        if (created.kind === 'open') {
          const open = created.order;
          throw isUnsettledRegistration(open)
            ? new OtpAlreadySent(
                message('OtpAlreadySent.unsettled', {
                  packageCode,
                  orderCode: open.orderCode ?? open.partnerTransId,
                }),
                open.id,
                message('OtpAlreadySentElsewhere.unsettled', { packageCode }),
                null,
              )
            : new OtpAlreadySent(
                message('OtpAlreadySent.open', {
                  packageCode,
                  orderCode: open.orderCode ?? open.partnerTransId,
                }),
                open.id,
                message('OtpAlreadySentElsewhere.open', { packageCode }),
                secondsUntilExpiry(open, this.opts.otp.validitySeconds, this.now()),
              );
        }
        const order = created.order;
        this.opts.onChange(order);
        this.opts.logger.info(
          { orderId: order.id, phone: maskPhone(order.phone), packageCode },
          'OTP requested',
        );
        return order;
      },
      call: () =>
        this.opts.dmall.getOtp({ phone: phone.local, telco: phone.telco, packageCode, utm }),
      succeeded: (order, issued) => this.recordOtpSent(order, issued),
      failed: async (order, err) => {
        if (outcomeOf(err) === 'REJECTED') {
          await this.move(
            order,
            statusAfter('otpRequest', err),
            {
              failureCode: 'VENDOR_REJECTED',
              failureVendorCode: err.vendorCode,
              failureMessage: err.vendorMessage,
            },
            `dmall refused the OTP request (${err.vendorCode})`,
          );
          return message('VendorError.dmallRejected', { vendorCode: err.vendorCode });
        }
        if (outcomeOf(err) === 'NOT_SENT') await this.clientLimiter.giveBack(clientId);
        await this.move(
          order,
          statusAfter('otpRequest', err),
          { failureCode: err.code, failureVendorCode: null, failureMessage: err.message },
          err.outcomeUnknown
            ? `OTP request outcome unknown: ${err.message}`
            : err.attempted
              ? `OTP request failed and dmall did not act on it: ${err.message}`
              : `OTP request not sent: ${err.message}`,
        );
        return unavailableMessage(err);
      },
      interrupted: (order) => interruptedAnswer('requestOtp', order),
    });
  }

  /**
   * `mayActOn`: whether the caller may register (and so spend the OTP attempts of) this order,
   * the access rule's answer (`RecordAccess.owns`: only the client that made it); any other
   * order is answered as an unknown one.
   */
  async registerWithOtp(
    clientId: string,
    input: RegisterWithOtpInput,
    mayActOn: (order: Order) => boolean,
  ): Promise<Order> {
    const orderCode = input.orderCode.trim();
    if (!orderCode || orderCode.length > 64) {
      throw new InvalidInput(message('InvalidInput.orderCode'), 'orderCode');
    }
    const otp = input.otp.trim();
    if (!OTP.test(otp)) throw new InvalidInput(message('InvalidInput.otp'), 'otp');
    const key = readKey(input.idempotencyKey);

    let previous: OrderStatus;
    return this.calls.run<Order, DmallRegistration>({
      scope: { clientId, operation: 'registerWithOtp', key },
      request: { orderCode, otp },
      ...this.orders,
      record: async () => {
        const order = await this.opts.orders.findByCode(orderCode);
        if (!order || !mayActOn(order)) {
          throw new OrderNotFound(message('OrderNotFound.noOrder', { orderCode }), orderCode);
        }
        if (!order.orderCode) {
          // Found by partnerTransId, but dmall never issued an order code: no OTP to check.
          throw new OrderNotOpen(message('OrderNotOpen.noOtp', { status: order.status }), order.id);
        }
        await this.ensureOpen(order);
        previous = order.status;
        const registering = await this.opts.orders.transition(
          order,
          'REGISTERING',
          {},
          `Registration with OTP, attempt ${order.otpAttempts + 1}`,
        );
        if (!registering) {
          throw new OrderNotOpen(message('OrderNotOpen.anotherRegistering'), order.id);
        }
        this.opts.onChange(registering);
        return registering;
      },
      call: (registering) => this.opts.dmall.registerWithOtp(registering.orderCode!, otp),
      succeeded: (registering, registered) => this.registered(registering, registered),
      failed: (registering, err) => this.registrationFailed(registering, previous, err),
      interrupted: (order) => interruptedAnswer('registerWithOtp', order),
    });
  }

  /** Refuses, without calling the vendor, an order that cannot take a registration now. */
  private async ensureOpen(order: Order): Promise<void> {
    switch (order.status) {
      case 'OTP_SENT':
        if (this.now() >= otpExpiresAt(order, this.opts.otp.validitySeconds)) {
          const expired = await this.opts.orders.transition(
            order,
            'EXPIRED',
            {},
            'OTP validity ran out before registration',
          );
          if (expired) this.opts.onChange(expired);
          throw new OtpExpired(message('OtpExpired.expired'), order.id);
        }
        return;
      case 'UNKNOWN':
        // A registration whose outcome was lost: asking again with the vendor's order code is
        // safe (dmall refuses a second registration of one order) and settles it.
        return;
      case 'LOCKED':
        throw new OrderLocked(message('OrderLocked.locked'), order.id);
      case 'EXPIRED':
        throw new OtpExpired(message('OtpExpired.expired'), order.id);
      case 'REGISTERED':
        throw new OrderNotOpen(message('OrderNotOpen.registered'), order.id);
      case 'REGISTERING':
        throw new OrderNotOpen(message('OrderNotOpen.registering'), order.id);
      default:
        throw new OrderNotOpen(message('OrderNotOpen.status', { status: order.status }), order.id);
    }
  }

  private registered(order: Order, registration: DmallRegistration): Promise<Order> {
    const settled = {
      registeredAt: this.now().toISOString(),
      failureCode: null,
      failureVendorCode: null,
      failureMessage: null,
    };
    if (registration.kind === 'already-registered') {
      // An earlier call registered the package and its reply was lost. The order is settled.
      return this.move(
        order,
        'REGISTERED',
        { registeredCode: order.packageCode, ...settled },
        'dmall reports this order already registered: an earlier call went through',
      );
    }
    return this.move(
      order,
      'REGISTERED',
      { registeredType: registration.type, registeredCode: registration.code, ...settled },
      `Registered: ${registration.code} (${registration.type})`,
    );
  }

  /** Settles a registration whose call failed: a wrong OTP, or the message for the vendor pair. */
  private async registrationFailed(
    order: Order,
    previous: OrderStatus,
    err: VendorError,
  ): Promise<Message<'VendorError'>> {
    if (outcomeOf(err) === 'REJECTED') {
      // dmall answers a wrong OTP with a failure reply; the order stays open for another try.
      const attempts = order.otpAttempts + 1;
      const locked = attempts >= this.opts.otp.maxAttempts;
      await this.move(
        order,
        locked ? 'LOCKED' : LEDGER_OUTCOMES.registration.REJECTED,
        {
          otpAttempts: attempts,
          failureCode: 'OTP_INCORRECT',
          failureVendorCode: err.vendorCode,
          failureMessage: err.vendorMessage,
        },
        locked
          ? `Wrong OTP (${err.vendorCode}); ${attempts} wrong attempts, order locked`
          : `Wrong OTP (${err.vendorCode}); ${attempts} of ${this.opts.otp.maxAttempts} attempts used`,
      );
      throw new OtpIncorrect(
        locked
          ? message('OtpIncorrect.lastAttempt')
          : message('OtpIncorrect.attemptsLeft', {
              attemptsLeft: this.opts.otp.maxAttempts - attempts,
            }),
        attemptsLeft({ otpAttempts: attempts }, this.opts.otp.maxAttempts),
        err.vendorCode,
        err.vendorMessage,
        order.id,
      );
    }
    const after = statusAfter('registration', err);
    await this.move(
      order,
      after === PREVIOUS ? previous : after,
      { failureCode: err.code, failureVendorCode: null, failureMessage: err.message },
      err.outcomeUnknown
        ? `Registration outcome unknown: ${err.message}. Register again with the same order code to settle it.`
        : `Registration failed and dmall did not act on it: ${err.message}`,
    );
    return unavailableMessage(err);
  }

  /**
   * Records the order code dmall gave. Order codes are unique in the ledger; if dmall answers with
   * one another order already holds, this order cannot be registered (registerWithOtp finds
   * orders by that code): it is FAILED with VENDOR_BAD_RESPONSE, and the clerk requests a new OTP.
   */
  private async recordOtpSent(
    order: Order,
    issued: { orderCode: string; telcoTransId: string },
  ): Promise<Order> {
    try {
      return await this.move(
        order,
        'OTP_SENT',
        {
          orderCode: issued.orderCode,
          telcoTransId: issued.telcoTransId,
          otpSentAt: this.now().toISOString(),
        },
        `OTP sent by the telco; order ${issued.orderCode}, telco transaction ${issued.telcoTransId}`,
      );
    } catch (err) {
      const holder = await this.opts.orders.findByCode(issued.orderCode);
      if (!holder || holder.id === order.id) throw err;
      const reason = `dmall answered with order code ${issued.orderCode}, which another order already holds`;
      this.opts.logger.error(
        { orderId: order.id, otherOrderId: holder.id, orderCode: issued.orderCode },
        'dmall reused an order code',
      );
      await this.move(
        order,
        'FAILED',
        { failureCode: 'VENDOR_BAD_RESPONSE', failureVendorCode: null, failureMessage: reason },
        `OTP sent by the telco, but ${reason}: this order cannot be registered`,
      );
      throw new VendorUnavailable(
        message('VendorError.dmallReusedOrderCode', { orderCode: issued.orderCode }),
        'dmall',
        'VENDOR_BAD_RESPONSE',
        false,
        { kind: 'Order', key: order.id },
      );
    }
  }

  private async move(
    order: Order,
    status: OrderStatus,
    patch: OrderPatch,
    detail: string,
  ): Promise<Order> {
    const next = await this.opts.orders.transition(order, status, patch, detail);
    if (!next) {
      throw new Error(`Order ${order.id} changed while a vendor call was in flight`);
    }
    this.opts.onChange(next);
    return next;
  }
}

/**
 * The answer to a retry of a request whose gateway process stopped while it ran, from the state
 * its order is in now (the sweeper has settled a call cut short to UNKNOWN by then).
 */
function interruptedAnswer(step: 'requestOtp' | 'registerWithOtp', order: Order): Order {
  const through = step === 'requestOtp' ? order.orderCode !== null : order.status === 'REGISTERED';
  if (through) return order;
  if (order.status === 'FAILED' && order.failureCode === 'VENDOR_REJECTED') {
    throw new VendorRejected(
      message('VendorError.dmallRejected', { vendorCode: order.failureVendorCode }),
      'dmall',
      order.failureVendorCode,
      order.failureMessage,
      { kind: 'Order', key: order.id },
    );
  }
  const unknown = order.status === UNSETTLED_STATUS || IN_FLIGHT_STATUSES.includes(order.status);
  throw new VendorUnavailable(
    message(
      !unknown
        ? 'VendorError.dmallNotRecorded'
        : step === 'registerWithOtp'
          ? 'VendorError.dmallInterruptedRegistration'
          : 'VendorError.dmallInterruptedOtp',
      { status: order.status },
    ),
    'dmall',
    unknown ? 'VENDOR_TIMEOUT' : 'VENDOR_UNAVAILABLE',
    unknown,
    { kind: 'Order', key: order.id },
  );
}

/** What a client reads when dmall gave no usable answer. */
function unavailableMessage(err: VendorError): Message<'VendorError'> {
  return message(
    err.outcomeUnknown ? 'VendorError.dmallNotConfirmed' : 'VendorError.dmallNotTaken',
    {
      code: err.code,
    },
  );
}

function readUtm(value: string | null | undefined, field: string): string {
  const v = (value ?? '').trim();
  if (v.length > UTM_MAX)
    throw new InvalidInput(message('InvalidInput.tooLong', { field, max: UTM_MAX }), field);
  return v;
}
