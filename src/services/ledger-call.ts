import { type VendorErrorRecord, VendorRejected, VendorUnavailable } from '../domain/errors.js';
import type { Message } from '../domain/messages/index.js';
import { failureReason, outcomeOf } from '../domain/vendor-outcome.js';
import { VendorError } from '../vendors/vendor-error.js';
import type { IdempotentRunner, ResultCodec } from './idempotent.js';
import type { LedgerCall, LedgerCallRunner } from './ledger-call-spec.js';

export type { LedgerCall } from './ledger-call-spec.js';

/** The vendor error pair for a failed call about `record`. */
export function vendorErrorOf(
  err: VendorError,
  record: VendorErrorRecord,
  text: Message<'VendorError'>,
): VendorRejected | VendorUnavailable {
  return outcomeOf(err) === 'REJECTED'
    ? new VendorRejected(text, err.vendor, err.vendorCode, err.vendorMessage, record)
    : new VendorUnavailable(text, err.vendor, failureReason(err), err.outcomeUnknown, record);
}

export class LedgerCalls implements LedgerCallRunner {
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
