/** The errors of VAS changes and settlement, beside `vas.ts`. */
import { errorType, type Types } from './error-base.js';
import { recordField } from './records.js';
import { VasTransactionRef } from './vas.js';

/** The `transaction` field of an error about one VAS transaction the caller made. */
function vasTransactionField<T>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, T>,
  key: (e: T) => string | null,
  description: string,
) {
  return recordField(t, 'VasTransaction', {
    type: VasTransactionRef,
    key,
    description,
    nullable: false,
  });
}

/** Each error of vas, keyed by name (gathered in `errors.ts`). */
export const VAS_ERROR_TYPES = {
  VasTransactionInDoubt: errorType('VasTransactionInDoubt', {
    description:
      'A previous register or cancel of this package for this phone is PENDING or UNKNOWN: the SDP may have acted on it. Nothing was sent; settle it first (`settleVasTransaction`, or wait for the sweeper). Only a caller who may see the transaction gets this; any other gets `VasTransactionInDoubtElsewhere`.',
    fields: (t) => ({
      transaction: vasTransactionField(t, (e) => e.transactionId, 'The transaction in doubt.'),
    }),
  }),
  VasTransactionInDoubtElsewhere: errorType('VasTransactionInDoubtElsewhere', {
    description:
      'Another client’s register or cancel of this package for this phone is PENDING or UNKNOWN: the SDP may have acted on it. Nothing was sent, and the transaction is not shown. The gateway settles it from the SDP on its own; try again then.',
  }),
  VasTransactionNotFound: errorType('VasTransactionNotFound', {
    description: 'No VAS transaction has this id.',
  }),
};
