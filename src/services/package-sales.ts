import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { findPackage } from '../domain/catalog.js';
import type { EligibilityProvider } from '../domain/eligibility.js';
import {
  deserializeError,
  GatewayError,
  IdempotencyKeyReused,
  InvalidInput,
  InvalidPhoneNumber,
  OrderLocked,
  OrderNotFound,
  OrderNotOpen,
  OtpAlreadySent,
  OtpExpired,
  OtpIncorrect,
  PackageNotAvailable,
  RequestInProgress,
  serializeError,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import {
  attemptsLeft,
  isUnsettledRegistration,
  type Order,
  type OrderStatus,
  otpExpiresAt,
} from '../domain/order.js';
import type { OtpLimits } from '../domain/otp-limits.js';
import { maskPhone, PhoneNumberError, parsePhone } from '../domain/phone.js';
import type { IdempotencyStore, StoredResult } from '../store/idempotency.js';
import type { OrderPatch, OrderStore } from '../store/orders.js';
import type { DmallClient } from '../vendors/dmall/client.js';
import { ALREADY_REGISTERED_CODE, type DmallTelco } from '../vendors/dmall/wire.js';
import { VendorError } from '../vendors/http.js';

export interface RequestOtpInput {
  phone: string;
  packageCode: string;
  utm?: {
    source?: string | null;
    medium?: string | null;
    content?: string | null;
    campaign?: string | null;
  } | null;
  idempotencyKey: string;
}

export interface RegisterWithOtpInput {
  orderCode: string;
  otp: string;
  idempotencyKey: string;
}

export interface PackageSalesOptions {
  orders: OrderStore;
  idempotency: IdempotencyStore;
  dmall: DmallClient;
  /** Decides which packages a subscriber may buy; requestOtp sells nothing else. */
  eligibility: EligibilityProvider;
  otp: { validitySeconds: number; maxAttempts: number; limits: OtpLimits };
  /** How long a duplicate request waits for the first one's result before giving up. */
  duplicateWaitMs: number;
  /** Called after every committed change of an order (live updates). */
  onChange: (order: Order) => void;
  logger: Logger;
  now?: () => Date;
}

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const OTP = /^\d{4,8}$/;
const UTM_MAX = 200;

/**
 * Steps 2 and 3 of the retail programme: ask for an OTP, then register with it. Every request is
 * idempotent by key; every vendor call is preceded by a committed order state and followed by one.
 */
export class PackageSales {
  private readonly now: () => Date;

  constructor(private readonly opts: PackageSalesOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  async requestOtp(clientId: string, input: RequestOtpInput): Promise<Order> {
    const phone = readPhone(input.phone);
    const packageCode = input.packageCode.trim().toUpperCase();
    const pkg = findPackage(packageCode);
    // The same rule as Subscriber.eligiblePackages: whatever provider decides what may be sold.
    const eligible = await this.opts.eligibility.eligiblePackages(phone);
    if (!pkg || !eligible.some((p) => p.code === pkg.code)) {
      throw new PackageNotAvailable(
        !pkg
          ? `No package ${packageCode} is for sale.`
          : pkg.telco !== phone.telco
            ? `${pkg.code} is a ${pkg.telco} package; ${input.phone.trim()} is on ${phone.telco}.`
            : `${pkg.code} is not available for this subscriber.`,
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
    const fingerprint = hash({ phone: phone.local, packageCode, utm });

    return this.idempotent(
      { clientId, operation: 'requestOtp', key },
      fingerprint,
      async (touch) => {
        const created = await this.opts.orders.createPending(
          { clientId, phone: phone.local, telco: phone.telco, packageCode, utm },
          { limits: this.opts.otp.limits, validitySeconds: this.opts.otp.validitySeconds },
        );
        if (created.kind === 'limited') throw created.error;
        if (created.kind === 'open') {
          const open = created.order;
          throw new OtpAlreadySent(
            isUnsettledRegistration(open)
              ? `A registration of ${packageCode} for this phone has an unknown outcome (order ${open.orderCode}): settle it with registerWithOtp before selling it again.`
              : `An OTP for ${packageCode} was already sent to this phone (order ${open.orderCode ?? open.partnerTransId}); register with it or wait until it expires.`,
            open.id,
          );
        }
        touch();
        const order = created.order;
        this.opts.onChange(order);
        this.opts.logger.info(
          { orderId: order.id, phone: maskPhone(order.phone), packageCode },
          'OTP requested',
        );

        try {
          const issued = await this.opts.dmall.getOtp({
            phone: phone.local,
            productCode: packageCode,
            telcoCode: phone.telco as DmallTelco,
            utmSource: utm.source,
            utmMedium: utm.medium,
            utmContent: utm.content,
            utmCampaign: utm.campaign,
          });
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
          if (!(err instanceof VendorError)) throw err;
          if (err.code === 'VENDOR_REJECTED') {
            await this.move(
              order,
              'FAILED',
              { failureCode: err.vendorCode, failureMessage: err.vendorMessage },
              `dmall refused the OTP request (${err.vendorCode})`,
            );
            throw new VendorRejected(
              err.vendorMessage ?? 'dmall refused the request.',
              'dmall',
              err.vendorCode,
              err.vendorMessage,
              order.id,
            );
          }
          await this.move(
            order,
            err.outcomeUnknown ? 'UNKNOWN' : 'FAILED',
            { failureCode: err.code, failureMessage: err.message },
            err.outcomeUnknown
              ? `OTP request outcome unknown: ${err.message}`
              : `OTP request failed and dmall did not act on it: ${err.message}`,
          );
          throw unavailable(err, order.id);
        }
      },
    );
  }

  async registerWithOtp(clientId: string, input: RegisterWithOtpInput): Promise<Order> {
    const orderCode = input.orderCode.trim();
    if (!orderCode || orderCode.length > 64) {
      throw new InvalidInput('orderCode must be the order code from requestOtp.', 'orderCode');
    }
    const otp = input.otp.trim();
    if (!OTP.test(otp)) throw new InvalidInput('The OTP is 4 to 8 digits.', 'otp');
    const key = readKey(input.idempotencyKey);
    const fingerprint = hash({ orderCode, otp });

    return this.idempotent(
      { clientId, operation: 'registerWithOtp', key },
      fingerprint,
      async (touch) => {
        const order = await this.opts.orders.findByCode(orderCode);
        if (!order) throw new OrderNotFound(`No order ${orderCode}.`, orderCode);
        if (!order.orderCode) {
          // Found by partnerTransId, but dmall never issued an order code: no OTP to check.
          throw new OrderNotOpen(
            `This order has no OTP: its OTP request is ${order.status}.`,
            order.id,
          );
        }
        await this.ensureOpen(order);

        const previous = order.status;
        const registering = await this.opts.orders.transition(
          order,
          'REGISTERING',
          {},
          `Registration with OTP, attempt ${order.otpAttempts + 1}`,
        );
        if (!registering) {
          throw new OrderNotOpen(
            'Another registration of this order is in progress; wait for its result.',
            order.id,
          );
        }
        touch();
        this.opts.onChange(registering);

        try {
          const registered = await this.opts.dmall.registerWithOtp(order.orderCode!, otp);
          return await this.move(
            registering,
            'REGISTERED',
            {
              registeredType: registered.type,
              registeredCode: registered.code,
              registeredAt: this.now().toISOString(),
              failureCode: null,
              failureMessage: null,
            },
            `Registered: ${registered.code} (${registered.type})`,
          );
        } catch (err) {
          if (!(err instanceof VendorError)) throw err;
          return await this.registrationFailed(registering, previous, err);
        }
      },
    );
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
          throw new OtpExpired('The OTP has expired; request a new one.', order.id);
        }
        return;
      case 'UNKNOWN':
        // A registration whose outcome was lost: asking again with the vendor's order code is
        // safe (dmall refuses a second registration of one order) and settles it.
        return;
      case 'LOCKED':
        throw new OrderLocked(
          'Too many wrong OTPs: this order is locked. Request a new OTP.',
          order.id,
        );
      case 'EXPIRED':
        throw new OtpExpired('The OTP has expired; request a new one.', order.id);
      case 'REGISTERED':
        throw new OrderNotOpen('This order is already registered.', order.id);
      case 'REGISTERING':
        throw new OrderNotOpen(
          'A registration of this order is in progress; wait for its result.',
          order.id,
        );
      default:
        throw new OrderNotOpen(`This order is ${order.status} and takes no OTP.`, order.id);
    }
  }

  private async registrationFailed(
    order: Order,
    previous: OrderStatus,
    err: VendorError,
  ): Promise<Order> {
    if (err.code === 'VENDOR_REJECTED' && err.vendorCode === ALREADY_REGISTERED_CODE) {
      // An earlier call registered the package and its reply was lost. The order is settled.
      return this.move(
        order,
        'REGISTERED',
        {
          registeredCode: order.packageCode,
          registeredAt: this.now().toISOString(),
          failureCode: null,
          failureMessage: null,
        },
        'dmall reports this order already registered: an earlier call went through',
      );
    }
    if (err.code === 'VENDOR_REJECTED') {
      // dmall answers a wrong OTP with a failure reply; the order stays open for another try.
      const attempts = order.otpAttempts + 1;
      const locked = attempts >= this.opts.otp.maxAttempts;
      await this.move(
        order,
        locked ? 'LOCKED' : 'OTP_SENT',
        { otpAttempts: attempts, failureCode: err.vendorCode, failureMessage: err.vendorMessage },
        locked
          ? `Wrong OTP (${err.vendorCode}); ${attempts} wrong attempts, order locked`
          : `Wrong OTP (${err.vendorCode}); ${attempts} of ${this.opts.otp.maxAttempts} attempts used`,
      );
      throw new OtpIncorrect(
        locked
          ? 'Wrong OTP. That was the last attempt: the order is locked.'
          : `Wrong OTP. ${this.opts.otp.maxAttempts - attempts} attempts left.`,
        attemptsLeft({ otpAttempts: attempts }, this.opts.otp.maxAttempts),
        err.vendorCode,
        err.vendorMessage,
        order.id,
      );
    }
    await this.move(
      order,
      err.outcomeUnknown ? 'UNKNOWN' : previous,
      { failureCode: err.code, failureMessage: err.message },
      err.outcomeUnknown
        ? `Registration outcome unknown: ${err.message}. Register again with the same order code to settle it.`
        : `Registration failed and dmall did not act on it: ${err.message}`,
    );
    throw unavailable(err, order.id);
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

  /**
   * Runs `work` once per (client, operation, key). A repeat replays the stored result; a
   * concurrent duplicate waits for it. Refusals that changed nothing (`touch` not called) free
   * the key again, so the client may retry with it once the reason is gone.
   */
  private async idempotent(
    scope: { clientId: string; operation: string; key: string },
    fingerprint: string,
    work: (touch: () => void) => Promise<Order>,
  ): Promise<Order> {
    const store = this.opts.idempotency;
    const claim = await store.claim(scope, fingerprint);
    if (claim.kind === 'mismatch') {
      throw new IdempotencyKeyReused(
        'This idempotency key was used for a different request; use a new key for a new request.',
      );
    }
    if (claim.kind === 'replay') return this.replay(claim.result);
    if (claim.kind === 'in-progress') return this.replay(await this.waitFor(scope));

    let touched = false;
    try {
      const order = await work(() => {
        touched = true;
      });
      await store.complete(scope, { ok: { orderId: order.id } });
      return order;
    } catch (err) {
      if (err instanceof GatewayError && touched) {
        await store.complete(scope, { error: serializeError(err) });
      } else if (!touched) {
        await store.release(scope);
      }
      // An unexpected failure after a vendor call keeps the key claimed: the order row says
      // what is known, and a retry must not call the vendor a second time.
      throw err;
    }
  }

  private async waitFor(scope: { clientId: string; operation: string; key: string }) {
    const deadline = Date.now() + this.opts.duplicateWaitMs;
    for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
      const result = await this.opts.idempotency.result(scope);
      if (result) return result;
      await new Promise((r) => setTimeout(r, delay));
    }
    const result = await this.opts.idempotency.result(scope);
    if (result) return result;
    throw new RequestInProgress(
      'A request with this idempotency key is still running; retry with the same key for its result.',
    );
  }

  private async replay(result: StoredResult): Promise<Order> {
    if ('error' in result) throw deserializeError(result.error);
    const order = await this.opts.orders.findById(result.ok.orderId);
    if (!order) throw new Error(`Stored order ${result.ok.orderId} is gone`);
    return order;
  }
}

function unavailable(err: VendorError, orderId: string): VendorUnavailable {
  return new VendorUnavailable(
    err.outcomeUnknown
      ? `${err.vendor} did not confirm the outcome (${err.code}). The order is UNKNOWN; check it before trying again.`
      : `${err.vendor} could not take the request (${err.code}); nothing was done. Try again shortly.`,
    err.vendor,
    err.code,
    err.outcomeUnknown,
    orderId,
  );
}

function readPhone(input: string) {
  try {
    return parsePhone(input);
  } catch (err) {
    if (err instanceof PhoneNumberError) throw new InvalidPhoneNumber(err.message, input);
    throw err;
  }
}

function readKey(key: string): string {
  if (!KEY.test(key)) {
    throw new InvalidInput(
      'idempotencyKey must be 8 to 128 characters of letters, digits and ._:- (a UUID works).',
      'idempotencyKey',
    );
  }
  return key;
}

function readUtm(value: string | null | undefined, field: string): string {
  const v = (value ?? '').trim();
  if (v.length > UTM_MAX)
    throw new InvalidInput(`${field} is longer than ${UTM_MAX} characters.`, field);
  return v;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
