import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivesPlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import TracingPlugin from '@pothos/plugin-tracing';
import type { Context } from '../context.js';
import { Forbidden } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import { SCOPES, type Scope } from '../domain/scopes.js';
import { checkNodeType, decodeGlobalId } from './global-id.js';
import { tracedByDefault, traceResolver } from './tracing.js';

/** The builder and its plugins. Types live in the files beside this one, never here. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Date: { Input: string; Output: string };
  };
  AuthScopes: Record<Scope, boolean>;
}>({
  // Scope checks run before anything else a field does. Federation comes after the plugins that
  // wrap resolvers (its README), and needs Directives to print `@key` into the subgraph SDL.
  plugins: [
    ScopeAuthPlugin,
    ErrorsPlugin,
    RelayPlugin,
    DataloaderPlugin,
    TracingPlugin,
    DirectivesPlugin,
    FederationPlugin,
  ],
  // Resolver spans (src/schema/tracing.ts): root fields, and nested fields marked `tracing: true`.
  tracing: { default: tracedByDefault, wrap: traceResolver },
  scopeAuth: {
    // A subscription field's scope is checked when the stream is opened, not at its first event:
    // a caller without it is refused at once instead of holding a stream open.
    authorizeOnSubscribe: true,
    // An anonymous sandbox caller holds every scope; a client, those its key was given.
    authScopes: (ctx) =>
      Object.fromEntries(
        (Object.keys(SCOPES) as Scope[]).map((s) => [
          s,
          ctx.caller.scopes === null || ctx.caller.scopes.includes(s),
        ]),
      ) as Record<Scope, boolean>,
    unauthorizedError: (_parent, _ctx, info) =>
      new Forbidden(
        message('Forbidden.field', { field: `${info.parentType.name}.${info.fieldName}` }),
      ),
  },
  defaultFieldNullability: false,
  errors: { defaultTypes: [] },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    decodeGlobalID: decodeGlobalId,
    nodeTypeOptions: {
      description:
        'An object with a global id: `node(id:)` finds it again, and client caches (Apollo, urql, Relay) key it by `id`.',
    },
    idFieldOptions: {
      description:
        'The global id: opaque, stable, unique across types. Pass it to `node(id:)`; do not parse it.',
    },
    nodeQueryOptions: {
      description:
        'Any object with a global id, by that id; null when it no longer exists. A malformed id is an error with code INVALID_INPUT.',
      args: { id: { description: 'A global id (`id` of any `Node`).' } },
      resolve: (_root, { id }, _ctx, info, resolveNode) => {
        checkNodeType(id, info);
        return resolveNode(id);
      },
    },
    nodesQueryOptions: {
      description:
        'Objects by global id, in the order asked; null for each that no longer exists. A malformed id is an error with code INVALID_INPUT.',
      args: { ids: { description: 'Global ids (`id` of any `Node`).' } },
      resolve: (_root, { ids }, _ctx, info, resolveNodes) => {
        for (const id of ids) checkNodeType(id, info);
        return resolveNodes(ids);
      },
    },
    pageInfoTypeOptions: {
      description: 'Where a page sits in a list, for asking for the next one.',
    },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of this page.' },
    endCursorFieldOptions: { description: 'The cursor of the last item; pass it as `after`.' },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the list.' },
    cursorFieldOptions: { description: 'An opaque position in the list, for `after`/`before`.' },
    nodeFieldOptions: { description: 'The item.' },
    firstArgOptions: { description: 'Page size from the start (at most 100; 20 by default).' },
    afterArgOptions: { description: 'Return items after this cursor (`pageInfo.endCursor`).' },
    lastArgOptions: { description: 'Page size from the end (at most 100).' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
});

builder.queryType({ description: 'Look-ups: subscribers, packages and orders.' });
