import { builder } from './builder.js';
import { describedValues } from './enum-values.js';

type Types = typeof builder.$inferSchemaTypes;

/** One change of a ledger record, as every ledger's history table keeps it. */
export interface LedgerEvent {
  version: number;
  status: string;
  detail: string | null;
  at: string;
}

/**
 * A ledger's status enum and its history type (`Order.events`, `VasTransaction.events`, ...): one
 * change of a record, in the order it happened: its sequence, the status it moved to, when, and
 * what happened.
 */
export function ledgerStatusTypes<S extends string>(options: {
  /** The enum's name; the history type's is `event.name`. */
  name: string;
  description: string;
  statuses: readonly S[];
  descriptions: Record<S, string>;
  event: { name: string; description: string; status: string; detail: string };
}) {
  // Typed by its values, which Pothos cannot read through the generic `S`.
  const status = builder.enumType(options.name, {
    description: options.description,
    values: describedValues(options.statuses, options.descriptions),
  }) as unknown as PothosSchemaTypes.EnumRef<Types, S>;
  const { event } = options;
  const eventRef = builder.objectRef<LedgerEvent>(event.name).implement({
    description: event.description,
    fields: (t) => ({
      sequence: t.exposeInt('version', { description: '1 for the first event, then 2, 3, ...' }),
      status: t.field({
        type: status as unknown as PothosSchemaTypes.EnumRef<Types, string>,
        description: event.status,
        resolve: (e) => e.status,
      }),
      at: t.field({ type: 'DateTime', description: 'When.', resolve: (e) => e.at }),
      detail: t.exposeString('detail', { nullable: true, description: event.detail }),
    }),
  });
  return { status, event: eventRef };
}
