import type { VendorErrorRecord } from '../domain/errors.js';
import type { Message } from '../domain/messages/index.js';
import type { VendorError } from '../vendors/vendor-error.js';

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
  /** The idempotency scope (`IdempotencyScope`): client, operation and key. */
  scope: { clientId: string; operation: string; key: string };
  /** The request's meaningful fields: a repeat with other fields is IdempotencyKeyReused. */
  request: unknown;
  /** The record kind the vendor error names, and the vendor's name (`VendorError.vendor`). */
  kind: VendorErrorRecord['kind'];
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
   * Settles the record after a failed call and returns the message for the client (of the
   * catalogue's `VendorError` group); or throws an error of the ledger's own (a wrong OTP)
   * instead of the vendor pair.
   */
  failed(record: R, err: VendorError): Promise<Message<'VendorError'>>;
  /** The answer to a retry of a request cut short: the record, or `throw` the error it means. */
  interrupted(record: R): R;
}

/** Runs ledger calls (`LedgerCalls` in `ledger-call.ts`); what a vendor feature is given. */
export interface LedgerCallRunner {
  run<R extends { id: string }, A>(spec: LedgerCall<R, A>): Promise<R>;
}
