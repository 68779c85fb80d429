import type { Logger } from 'pino';
import {
  type ErrorName,
  InvalidInput,
  VasTransactionInDoubt,
  type VendorFailureReason,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import { type Message, message } from '../domain/messages/index.js';
import { maskPhone, type PhoneNumber, parsePhone } from '../domain/phone.js';
import {
  isInDoubt,
  settleBackoffMs,
  type VasEvent,
  type VasSubscriptionState,
  type VasTransaction,
  type VasTransactionAction,
  type VasTransactionStatus,
} from '../domain/vas.js';
import { failureReason, outcomeOf, statusAfter } from '../domain/vendor-outcome.js';
import type {
  CreateVasResult,
  NewVasTransaction,
  VasStore,
  VasTransactionPatch,
} from '../store/vas.js';
import type { VascloudClient } from '../vendors/vascloud/client.js';
import type { VasNotification } from '../vendors/vascloud/wire.js';
import { isVasSuccess } from '../vendors/vascloud/wire.js';
import { VendorError } from '../vendors/vendor-error.js';
import { IDEMPOTENT_ERRORS, type IdempotentRunner, readKey } from './idempotent.js';
import { LedgerCalls } from './ledger-call.js';
import type { LedgerSweep } from './ledger-sweep.js';

/** What `registerVasPackage` and `cancelVasPackage` can answer besides the transaction. */
export const VAS_CHANGE_ERRORS = [
  ...IDEMPOTENT_ERRORS,
  'InvalidPhoneNumber',
  'VendorRejected',
  'VendorUnavailable',
  'VasTransactionInDoubt',
  'VasTransactionInDoubtElsewhere',
] as const satisfies readonly ErrorName[];

/** What `settleVasTransaction` can answer besides the transaction. */
export const SETTLE_VAS_ERRORS = [
  'InvalidInput',
  'VasTransactionNotFound',
  'VendorUnavailable',
] as const satisfies readonly ErrorName[];

export interface VasChangeInput {
  phone: string;
  serviceId: string;
  packageId: string;
  channel: string;
  price?: string | null;
  autoRenew?: boolean | null;
  idempotencyKey?: string | null;
}

export interface VasServiceOptions {
  store: VasStore;
  idempotent: IdempotentRunner;
  client: VascloudClient;
  /** Told of every change of a subscriber's known package state (live updates). */
  onChange: (state: VasSubscriptionState) => void;
  logger: Logger;
  now?: () => Date;
  /** The `channel` sent with the gateway's own checks. */
  checkChannel?: string;
}

const ID = /^[A-Za-z0-9_.-]{1,32}$/;
const CHANNEL = /^[A-Za-z0-9_]{1,16}$/;
const PRICE = /^\d{1,12}$/;

/**
 * VAS packages through the VAS cloud SDP: checks, registrations and cancellations, the ledger
 * that records each change before the notify_reg call, the settlement of calls whose outcome was
 * lost (from CheckServiceInfo, which tells the truth), and the SDP's own notifications.
 */
export class VasService {
  private readonly now: () => Date;

  private readonly calls: LedgerCalls;

  /** The VAS ledger's sweep: transactions cut short or in doubt, settled from CheckServiceInfo. */
  readonly ledgerSweep: LedgerSweep = {
    sweeps: 'VAS transactions',
    sweep: async (staleAfterMs) => (await this.sweep(staleAfterMs)).length,
  };

  constructor(private readonly opts: VasServiceOptions) {
    this.now = opts.now ?? (() => new Date());
    this.calls = new LedgerCalls(opts.idempotent);
  }

  /**
   * CheckServiceInfo for one subscriber's package. A refusal (`error_id` other than 0) is an
   * answer, with `active` null; no answer at all is `VendorUnavailable`.
   */
  async check(phone: PhoneNumber, serviceId: string, packageId: string) {
    const checkedAt = this.now().toISOString();
    const base = { phone: phone.local, msisdn: phone.msisdn, serviceId, packageId, checkedAt };
    try {
      const result = await this.opts.client.checkServiceInfo({
        phone: phone.msisdn,
        serviceId,
        packageId,
        channel: this.opts.checkChannel ?? 'APP',
      });
      return { ...base, active: result.active, errorId: null, errorDesc: null };
    } catch (err) {
      if (!(err instanceof VendorError)) throw err;
      if (err.code === 'VENDOR_REJECTED') {
        return {
          ...base,
          active: null,
          errorId: err.vendorCode ?? '',
          errorDesc: err.vendorMessage,
        } satisfies VasSubscriptionState;
      }
      throw new VendorUnavailable(
        message('VendorError.vasCheckUnavailable', { code: err.code }),
        'vascloud',
        err.code,
        false,
        { kind: 'VasTransaction', key: null },
      );
    }
  }

  register(clientId: string, input: VasChangeInput): Promise<VasTransaction> {
    return this.change(clientId, 'REGISTER', input);
  }

  cancel(clientId: string, input: VasChangeInput): Promise<VasTransaction> {
    return this.change(clientId, 'CANCEL', input);
  }

  private async change(
    clientId: string,
    action: VasTransactionAction,
    input: VasChangeInput,
  ): Promise<VasTransaction> {
    const phone = parsePhone(input.phone);
    const serviceId = readId(input.serviceId, 'serviceId');
    const packageId = readId(input.packageId, 'packageId');
    const channel = input.channel.trim().toUpperCase();
    if (!CHANNEL.test(channel)) {
      throw new InvalidInput(message('InvalidInput.channel'), 'channel');
    }
    const price = (input.price ?? '').trim();
    if (price && !PRICE.test(price)) {
      throw new InvalidInput(message('InvalidInput.price'), 'price');
    }
    const autoRenew = action === 'CANCEL' ? null : (input.autoRenew ?? true);
    const key = readKey(input.idempotencyKey);
    const operation = action === 'REGISTER' ? 'registerVasPackage' : 'cancelVasPackage';

    type Done = Awaited<ReturnType<VascloudClient['cancel']>>;
    return this.calls.run<VasTransaction, Done>({
      scope: { clientId, operation, key },
      request: { phone: phone.local, serviceId, packageId, channel, price, autoRenew },
      kind: 'VasTransaction',
      vendor: 'vascloud',
      savedAs: 'transactionId',
      find: (id) => this.opts.store.findById(id),
      record: async () => {
        const created = await this.createWithNewQueueId({
          clientId,
          phone: phone.local,
          serviceId,
          packageId,
          action,
          channel,
          price,
          autoRenew,
        });
        if (created.kind === 'in-doubt') {
          const open = created.transaction;
          const blocking = { action: open.action, status: open.status };
          throw new VasTransactionInDoubt(
            message('VasTransactionInDoubt.open', { ...blocking, transactionId: open.id }),
            open.id,
            message('VasTransactionInDoubtElsewhere.open', blocking),
          );
        }
        const tx = created.transaction;
        this.opts.logger.info(
          { transactionId: tx.id, action, phone: maskPhone(tx.phone), serviceId, packageId },
          'VAS change recorded',
        );
        return tx;
      },
      call: (tx) => {
        const request = {
          phone: phone.msisdn,
          serviceId,
          packageId,
          channel,
          queueId: tx.queueId,
          ...(price ? { price } : {}),
        };
        return action === 'REGISTER'
          ? this.opts.client.register({ ...request, autoRenew: autoRenew ?? true })
          : this.opts.client.cancel(request);
      },
      succeeded: async (tx, done) => {
        const settled = await this.move(
          tx,
          'SUCCEEDED',
          { vendorCode: '0', vendorMessage: done.message, settledAt: this.now().toISOString() },
          `The SDP accepted the ${action === 'REGISTER' ? 'registration' : 'cancellation'} (queueID ${done.queueId})`,
        );
        await this.learned(settled, action === 'REGISTER', action);
        return settled;
      },
      failed: (tx, err) => this.failed(tx, err),
      interrupted: answerFromState,
    });
  }

  /**
   * Records the transaction under a new queueID. QueueIDs are unique; two instances can, rarely,
   * draw the same one in the same millisecond. The insert that loses is retried with another
   * (the SDP has not been called yet, so nothing is repeated there).
   */
  private async createWithNewQueueId(
    input: Omit<NewVasTransaction, 'queueId'>,
  ): Promise<CreateVasResult> {
    for (let attempt = 1; ; attempt++) {
      const queueId = this.opts.client.newQueueId();
      try {
        return await this.opts.store.create({ ...input, queueId });
      } catch (err) {
        if (attempt >= 3 || !(await this.opts.store.hasQueueId(queueId))) throw err;
        this.opts.logger.warn({ queueId, attempt }, 'queueID already taken; drawing another');
      }
    }
  }

  /** Settles a transaction whose call failed; the message for the client. */
  private async failed(tx: VasTransaction, err: VendorError): Promise<Message<'VendorError'>> {
    const status = statusAfter('vasTransaction', err);
    const now = this.now().toISOString();
    if (outcomeOf(err) === 'REJECTED') {
      const errorId = err.vendorCode ?? '';
      await this.move(
        tx,
        status,
        { vendorCode: errorId, vendorMessage: err.vendorMessage, settledAt: now },
        `The SDP refused it: error_id ${errorId}${err.vendorMessage ? ` (${err.vendorMessage})` : ''}`,
      );
      return message('VendorError.vasRejected', { errorId });
    }
    const reason = failureReason(err);
    if (status === 'UNKNOWN') {
      await this.move(
        tx,
        status,
        { failureReason: reason, nextSettleAt: now },
        `Outcome unknown (${err.code}): ${err.message}. To be settled from CheckServiceInfo.`,
      );
    } else {
      await this.move(
        tx,
        status,
        { failureReason: reason, settledAt: now },
        `The call failed and the SDP did not act on it (${err.code}): ${err.message}`,
      );
    }
    return message(err.outcomeUnknown ? 'VendorError.vasNotConfirmed' : 'VendorError.vasNotTaken', {
      code: err.code,
    });
  }

  /**
   * `settleVasTransaction`: settles an UNKNOWN transaction now; any other is returned as it is.
   * The caller may see it: the schema found it through `RecordAccess` (another client's, without
   * `ledger:all`, is VasTransactionNotFound there, and the SDP is not asked).
   */
  async settleNow(tx: VasTransaction): Promise<VasTransaction> {
    if (tx.status !== 'UNKNOWN') return tx;
    const settled = await this.settle(tx);
    if (settled.status === 'UNKNOWN') {
      throw new VendorUnavailable(
        message('VendorError.vasSettleUnavailable'),
        'vascloud',
        (settled.failureReason ?? 'VENDOR_UNAVAILABLE') as VendorFailureReason,
        true,
        { kind: 'VasTransaction', key: settled.id },
      );
    }
    return settled;
  }

  /**
   * Asks CheckServiceInfo whether the subscriber holds the package and settles the transaction
   * from it: a register is SUCCEEDED when the package is active, a cancel when it is not. A
   * check that gets no answer is recorded and the next one put off (`settleBackoffMs`).
   */
  async settle(tx: VasTransaction): Promise<VasTransaction> {
    let state: VasSubscriptionState;
    try {
      state = await this.check(parsePhone(tx.phone), tx.serviceId, tx.packageId);
    } catch (err) {
      if (!(err instanceof VendorUnavailable)) throw err;
      return this.checkAgainLater(tx, `got no answer (${err.reason})`);
    }
    if (state.active === null) {
      return this.checkAgainLater(tx, `refused by the SDP (error_id ${state.errorId})`);
    }
    const wanted = tx.action === 'REGISTER';
    const through = state.active === wanted;
    const settled = await this.opts.store.transition(
      tx,
      through ? 'SUCCEEDED' : 'FAILED',
      {
        settleAttempts: tx.settleAttempts + 1,
        nextSettleAt: null,
        settledAt: this.now().toISOString(),
      },
      `Settled from CheckServiceInfo at ${state.checkedAt}: the subscriber ${state.active ? 'holds' : 'does not hold'} the package, so the ${tx.action === 'REGISTER' ? 'registration' : 'cancellation'} ${through ? 'went through' : 'did not go through'}`,
    );
    if (!settled) return this.current(tx);
    await this.learned(settled, state.active, 'CHECK');
    return settled;
  }

  /**
   * The sweeper's part: PENDING rows whose call cannot be running any more become UNKNOWN, then
   * the UNKNOWN rows whose next check is due are settled from CheckServiceInfo, `batch` at a time
   * and the checks of a batch at once (the vendor's bulkhead bounds them), up to `maxBatches`
   * batches per sweep so that one sweep never runs unbounded.
   */
  async sweep(staleAfterMs: number, batch = 20, maxBatches = 10): Promise<VasTransaction[]> {
    await Promise.all(
      (await this.opts.store.stalePending(staleAfterMs)).map((tx) =>
        this.opts.store.transition(
          tx,
          'UNKNOWN',
          { nextSettleAt: this.now().toISOString() },
          'No answer was recorded for the notify_reg call: the gateway stopped during the call',
        ),
      ),
    );
    const changed: VasTransaction[] = [];
    for (let round = 0; round < maxBatches; round++) {
      const due = await this.opts.store.dueForSettling(batch);
      const settled = await Promise.all(due.map((tx) => this.settle(tx)));
      changed.push(...settled.filter((tx) => tx.status !== 'UNKNOWN'));
      // A check that got no answer puts its row off: what is left due is new work.
      if (due.length < batch) break;
    }
    return changed;
  }

  /**
   * An SDP notification: recorded once per queueID (a replay is acknowledged, not recorded
   * again); one that went through updates the package's known state, settles the subscriber's
   * in-doubt transactions of the same action, and is pushed to `vasSubscriptionChanged`.
   */
  async onNotification(n: VasNotification): Promise<void> {
    const at = this.now().toISOString();
    const action: VasTransactionAction = n.action === 'register' ? 'REGISTER' : 'CANCEL';
    const event: VasEvent = {
      queueId: n.queueId,
      action,
      phone: n.phone,
      serviceId: n.serviceId,
      packageId: n.packageId,
      channel: n.channel,
      resultCode: n.resultCode,
      errorDesc: n.errorDesc,
      commandCode: n.commandCode,
      price: n.price,
      autoRenew: n.autoRenew,
      subscribedAt: n.subscribedAt?.toISOString() ?? null,
      expiresAt: n.expiresAt?.toISOString() ?? null,
      receivedAt: at,
    };
    // An empty resultCode is taken as done: the document's sample leaves it to the operation.
    const applied = n.resultCode === '' || isVasSuccess(n.resultCode);
    const recorded = await this.opts.store.recordEvent(event, applied);
    if (!recorded) {
      this.opts.logger.info({ queueId: n.queueId }, 'vascloud notification replayed; ignored');
      return;
    }
    if (!applied) return;
    this.opts.onChange({
      phone: n.phone,
      msisdn: n.msisdn,
      serviceId: n.serviceId,
      packageId: n.packageId,
      active: action === 'REGISTER',
      checkedAt: at,
      errorId: null,
      errorDesc: null,
    });
    for (const tx of await this.opts.store.inDoubtFor(n.phone, n.serviceId, n.packageId)) {
      // A PENDING call may still be answered; only a lost one is settled by the notification.
      if (tx.status !== 'UNKNOWN' || tx.action !== action) continue;
      await this.opts.store.transition(
        tx,
        'SUCCEEDED',
        { nextSettleAt: null, settledAt: at },
        `Settled by the SDP's notification queueID ${n.queueId} (${n.channel}${n.commandCode ? `, ${n.commandCode}` : ''}): the ${action === 'REGISTER' ? 'registration' : 'cancellation'} went through`,
      );
    }
  }

  private async learned(tx: VasTransaction, active: boolean, source: string): Promise<void> {
    await this.opts.store.setState({
      phone: tx.phone,
      serviceId: tx.serviceId,
      packageId: tx.packageId,
      active,
      source,
    });
    this.opts.onChange({
      phone: tx.phone,
      msisdn: parsePhone(tx.phone).msisdn,
      serviceId: tx.serviceId,
      packageId: tx.packageId,
      active,
      checkedAt: this.now().toISOString(),
      errorId: null,
      errorDesc: null,
    });
  }

  /** Keeps a transaction UNKNOWN after a check that settled nothing, with the next one backed off. */
  private async checkAgainLater(tx: VasTransaction, why: string): Promise<VasTransaction> {
    const attempts = tx.settleAttempts + 1;
    const next = new Date(this.now().getTime() + settleBackoffMs(attempts)).toISOString();
    return (
      (await this.opts.store.transition(
        tx,
        'UNKNOWN',
        { settleAttempts: attempts, nextSettleAt: next },
        `Settlement check ${attempts} ${why}; next check after ${next}`,
      )) ?? this.current(tx)
    );
  }

  private async current(tx: VasTransaction): Promise<VasTransaction> {
    return (await this.opts.store.findById(tx.id)) ?? tx;
  }

  private async move(
    tx: VasTransaction,
    status: VasTransactionStatus,
    patch: VasTransactionPatch,
    detail: string,
  ): Promise<VasTransaction> {
    const next = await this.opts.store.transition(tx, status, patch, detail);
    if (!next) throw new Error(`VAS transaction ${tx.id} changed while its call was in flight`);
    return next;
  }
}

/** What a retry answers when the process that ran the request stopped mid-way. */
function answerFromState(tx: VasTransaction): VasTransaction {
  if (tx.status === 'SUCCEEDED') return tx;
  if (tx.status === 'FAILED' && tx.vendorCode !== null) {
    throw new VendorRejected(
      message('VendorError.vasRejected', { errorId: tx.vendorCode }),
      'vascloud',
      tx.vendorCode,
      tx.vendorMessage,
      { kind: 'VasTransaction', key: tx.id },
    );
  }
  const unknown = isInDoubt(tx);
  throw new VendorUnavailable(
    message(unknown ? 'VendorError.vasInterrupted' : 'VendorError.vasNotRecorded', {
      status: tx.status,
    }),
    'vascloud',
    tx.failureReason ?? (unknown ? 'VENDOR_TIMEOUT' : 'VENDOR_UNAVAILABLE'),
    unknown,
    { kind: 'VasTransaction', key: tx.id },
  );
}

/** A vendor id, kept exactly as written (leading zeros included). */
export function readId(value: string, field: string): string {
  const v = value.trim();
  if (!ID.test(v)) {
    throw new InvalidInput(message('InvalidInput.vendorId', { field }), field);
  }
  return v;
}
