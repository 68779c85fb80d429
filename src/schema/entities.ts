import type { ObjectRef } from '@pothos/core';
import { resolveNodes } from '@pothos/plugin-relay';
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from './builder.js';
import { decodeGlobalId } from './global-id.js';
import { OAPackageRef } from './oa-package.js';
import { OrderRef } from './order.js';
import { PackageRef } from './package.js';
import { openSubscriberKey, SubscriberRef } from './subscriber.js';
import { VasTransactionRef } from './vas.js';
import { VoiceCallRef } from './voice-call.js';

type Types = typeof builder.$inferSchemaTypes;
type Ctx = Types['Context'];

/**
 * The Apollo Federation entities of the subgraph (src/schema/subgraph.ts), each keyed by its
 * global `id`: `@key(fields: "id")`. A key is what a supergraph router sends between subgraphs
 * and may log, so it must say nothing private: records' ids are base64 of `Type:<UUID>`, a
 * package's is its public `TELCO:CODE`, and a subscriber's holds the number encrypted
 * (src/domain/subscriber-id.ts), never the number itself.
 *
 * A reference is resolved exactly as `node(id:)` resolves the same id: through the relay
 * plugin's node loading, so a record goes through `ctx.access` (`recordNode`) and its type's
 * access rule. What the caller may not see is null in `_entities`, as it is in `node`.
 */
const ENTITIES: ReadonlyArray<{
  ref: ObjectRef<Types, unknown>;
  /** The node type's own parse of its id's key (`id.parse` of its `builder.node`). */
  parse?: (key: string, ctx: Ctx) => unknown;
}> = [
  { ref: SubscriberRef, parse: openSubscriberKey },
  { ref: PackageRef },
  { ref: OrderRef },
  { ref: VasTransactionRef },
  { ref: VoiceCallRef },
  { ref: OAPackageRef },
];

/** The names of the entity types (logged at start when the subgraph is served). */
export const ENTITY_TYPES: readonly string[] = ENTITIES.map(({ ref }) => ref.name);

for (const { ref, parse } of ENTITIES) {
  builder.asEntity(ref, {
    key: builder.selection<{ id: string }>('id'),
    resolveReference: (reference, ctx, info) =>
      resolveReference(ref.name, reference, ctx as Ctx, info, parse),
  });
}

/**
 * One `_entities` representation, as `node(id:)` would answer its id: a malformed id is an
 * INVALID_INPUT error (for that entity only); the id of another type, or of a record that does
 * not exist or that the caller may not see, is null.
 */
async function resolveReference(
  typename: string,
  reference: { id: string },
  ctx: Ctx,
  info: GraphQLResolveInfo,
  parse?: (key: string, ctx: Ctx) => unknown,
): Promise<unknown> {
  const decoded = decodeGlobalId(String(reference.id));
  if (decoded.typename !== typename) return null;
  const id = parse ? parse(decoded.id, ctx) : decoded.id;
  const [node] = await resolveNodes(builder, ctx, info, [{ typename, id }]);
  return (await node) ?? null;
}
