import type { ObjectRef } from '@pothos/core';
import { InvalidInput } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import type { builder } from './builder.js';
import { idempotencyKeysField } from './idempotency-key.js';

type Types = typeof builder.$inferSchemaTypes;
type Ctx = Types['Context'];

/** A client's name, as `npm run clients -- create --name` takes it. */
const CLIENT_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The `client` field of every ledger record: who made it. A caller without `ledger:all` sees
 * only its own records, so only its own name.
 */
function clientField<P extends { clientId: string }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, P>,
  made: string,
) {
  return t.string({
    description: `The client that ${made} (its name); without \`ledger:all\`, always the caller itself.`,
    resolve: (record) => record.clientId,
  });
}

/**
 * The `client` filter of every ledger list. The narrowing itself is the access rule's
 * (`listOwner` in src/domain/access.ts): a caller without `ledger:all` naming another client
 * gets what a client with no records would get.
 */
export function clientFilterField(
  t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>,
  records: string,
) {
  return t.string({
    required: false,
    description: `Only this client’s ${records} (its name, as their \`client\`). Without \`ledger:all\`, naming another client than the caller gives none, as if it had none.`,
  });
}

/** Reads a `client` filter: null when absent or blank; a malformed name is INVALID_INPUT. */
export function readClient(value: string | null | undefined): string | null {
  const client = value?.trim();
  if (!client) return null;
  if (!CLIENT_NAME.test(client)) {
    throw new InvalidInput(message('InvalidInput.clientName'), 'client');
  }
  return client;
}

/**
 * The evidence every ledger record shows: who made it (`client`), every change of it (`events`,
 * through the ledger's loader) and the idempotency keys that made or acted on it.
 */
export function ledgerEvidenceFields<P extends { id: string; clientId: string }, E>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, P>,
  made: string,
  events: {
    type: ObjectRef<Types, E>;
    description: string;
    load: (ctx: Ctx, id: string) => Promise<E[]>;
  },
) {
  return {
    client: clientField(t, made),
    // Typed by its arguments above; Pothos cannot infer a list field over a generic event type.
    events: t.field({
      type: [events.type],
      description: events.description,
      resolve: (record: P, _args: unknown, ctx: Ctx) => events.load(ctx, record.id),
    } as never),
    idempotencyKeys: idempotencyKeysField(t),
  };
}
