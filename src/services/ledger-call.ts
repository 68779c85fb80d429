import {
  type VendorErrorRecord,
  type VendorFailureReason,
  type VendorLedger,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import { outcomeOf } from '../domain/vendor-outcome.js';
import type { IdempotencyScope } from '../store/idempotency.js';
import { VendorError } from '../vendors/vendor-error.js';
import type { IdempotentRunner, ResultCodec } from './idempotent.js';

/**
 * "Record, call the vendor, settle the outcome", written once for every ledger whose vendor
 * call creates something (an OTP request, a VAS change, an OA purchase, a voice call):
 *
 * 1. idempotency: one run per (client, operation, key); a repeat replays the stored answer;
 * 2. the record is written before the call (`record`), and the key remembers it (`touch`), so a
 *    crash or a timeout leaves a row that says what is known;
 * 3. the vendor is called once (`call`), never retried here;
 * 4. the outcome settles the record: `succeeded`, or `failed` (whose status comes from the
 *    ledger's row of `LEDGER_OUTCOMES`), and a failure answers the one vendor error pair;
 * 5. a retry of a request whose process stopped mid-way answers from the record as it stands
 *    (`interrupted`).
 *
 * Each vendor service keeps only what is its own: validation, the record's fields, the call,
 * and the words of its messages. Changes are published by the store's transitions.
 */
export interface LedgerCall<R extends { id: string }, A> {
  scope: IdempotencyScope;
  /** The request's meaningful fields: a repeat with other fields is IdempotencyKeyReused. */
  request: unknown;
  /** The record kind the vendor error names, and the vendor's name (`VendorError.vendor`). */
  kind: VendorLedger;
  vendor: string;
  /**
   * The name a record's id is kept under with the idempotency key (`oaPackageId`, ...): kept as
   * each service named it, so keys stored by earlier versions replay.
   */
  savedAs: string;
  /** A record by id, for replays. */
  find(id: string): Promise<R | null>;
  /**
   * Writes the record before the call. A refusal thrown here changed nothing: the key is freed.
   */
  record(): Promise<R>;
  call(record: R): Promise<A>;
  /** Settles the record from the vendor's answer. */
  succeeded(record: R, answer: A): Promise<R>;
  /**
   * Settles the record after a failed call and returns the message for the client; or throws an
   * error of the ledger's own (a wrong OTP) instead of the vendor pair.
   */
  failed(record: R, err: VendorError): Promise<string>;
  /** The answer to a retry of a request cut short: the record, or `throw` the error it means. */
  interrupted(record: R): R;
}

/** Why a failed call gave no usable answer, for `VendorUnavailable.reason` and the records. */
export function failureReason(err: VendorError): VendorFailureReason {
  if (err.code !== 'VENDOR_REJECTED') return err.code;
  // A refusal code whose outcome is unknown (voice OTP's 27: the carrier failed mid-call), or a
  // refusal page from a proxy: no answer from the vendor itself.
  return err.status !== null && err.status >= 400 ? 'VENDOR_HTTP' : 'VENDOR_UNAVAILABLE';
}

/** The vendor error pair for a failed call about `record`. */
export function vendorErrorOf(
  err: VendorError,
  record: VendorErrorRecord,
  message: string,
): VendorRejected | VendorUnavailable {
  return outcomeOf(err) === 'REJECTED'
    ? new VendorRejected(message, err.vendor, err.vendorCode, err.vendorMessage, record)
    : new VendorUnavailable(message, err.vendor, failureReason(err), err.outcomeUnknown, record);
}

export class LedgerCalls {
  constructor(private readonly idempotent: IdempotentRunner) {}

  run<R extends { id: string }, A>(spec: LedgerCall<R, A>): Promise<R> {
    const load = async (saved: Record<string, string>) => {
      const id = saved[spec.savedAs];
      const record = id ? await spec.find(id) : null;
      if (!record) throw new Error(`Stored ${spec.kind} ${id} is gone`);
      return record;
    };
    const codec: ResultCodec<R> = {
      save: (record) => ({ [spec.savedAs]: record.id }),
      load,
      interrupted: async (saved) => spec.interrupted(await load(saved)),
    };
    return this.idempotent.run(spec.scope, spec.request, codec, async (touch) => {
      const record = await spec.record();
      await touch(record);
      let answer: A;
      try {
        answer = await spec.call(record);
      } catch (err) {
        if (!(err instanceof VendorError)) throw err;
        const message = await spec.failed(record, err);
        throw vendorErrorOf(err, { kind: spec.kind, key: record.id }, message);
      }
      return spec.succeeded(record, answer);
    });
  }
}
