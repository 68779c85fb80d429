import type { IncomingMessage, Server } from 'node:http';
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable, maskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { App } from '../app.js';
import type { Context } from '../context.js';
import { type Authenticate, isUnauthenticated } from './auth.js';
import type { KeyWatch } from './key-watch.js';
import { languageOf } from './language.js';
import { errorIn, inLanguage } from './localized-error.js';
import { stampTraceId, traceIdFor } from './tracing.js';

/** A GraphQL document over WebSocket is as small as one over HTTP; ws would take 100 MiB. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long a closing gateway waits for operations in flight before it closes their sockets. */
const DRAIN_MS = 3_000;
/** "Going Away": the server is shutting down; graphql-ws clients reconnect (to another instance). */
const GOING_AWAY = 1001;
/** graphql-ws's "Forbidden": the connection's key is not valid (or no longer). Not retried. */
const FORBIDDEN = 4403;
/** How long a revoked connection waits for its operations' last UNAUTHENTICATED error to go. */
const REVOKED_DRAIN_MS = 1_000;

export interface WebSocketEndpoint {
  /**
   * Takes no new connection, waits (up to 3 seconds) for the operations in flight to finish
   * (the `shutdown` signal has already ended the live streams), then closes every socket with
   * 1001 Going Away.
   */
  close(): Promise<void>;
}

type Enveloped = ReturnType<App['getEnveloped']>;

/**
 * GraphQL over WebSocket (`graphql-transport-ws`, the protocol of `graphql-ws`, Apollo Kotlin and
 * Apollo iOS) on the GraphQL endpoint, beside SSE. Each operation runs through Yoga's envelop
 * (`yoga.getEnveloped`), so the plugins, the context (client identity included), validation
 * rules and error masking are the same as over HTTP.
 */
export function attachWebSocket(
  server: Server,
  yoga: App,
  logger: Logger,
  /** `CORS_ORIGINS`: a browser's upgrade from another origin is refused, as CORS would refuse it. */
  allowedOrigins: '*' | readonly string[],
  /**
   * A connection without a valid key (when one is required) is refused at `connection_init`
   * with 4403; one whose key is revoked later is closed with 4403 (src/server/key-watch.ts).
   */
  access: { authenticate: Authenticate; keys: KeyWatch },
): WebSocketEndpoint {
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: MAX_MESSAGE_BYTES,
    // WebSocket upgrades are not subject to CORS: without this, any page a clerk visits could
    // open a socket to the gateway (cross-site WebSocket hijacking). Non-browser clients send
    // no Origin and are not concerned.
    verifyClient: ({ origin }: { origin?: string }) =>
      !origin || allowedOrigins === '*' || allowedOrigins.includes(origin),
  });
  type Connection = WsContext<Record<string, unknown> | undefined, Extra>;
  const connections = new Set<Connection>();
  const unwatch = new WeakMap<Connection, () => void>();
  // A revoked connection's operations end first, each with its UNAUTHENTICATED error (the
  // stream guard), then the socket closes with 4403.
  const revoke = async (ctx: Connection) => {
    const deadline = Date.now() + REVOKED_DRAIN_MS;
    while (Object.keys(ctx.subscriptions).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    ctx.extra.socket.close(FORBIDDEN, 'Forbidden');
  };
  // The envelop of each operation, found again by the arguments graphql-ws hands to execute.
  const envelopes = new WeakMap<ExecutionArgs, Enveloped>();

  useServer<Record<string, unknown> | undefined>(
    {
      isProd: true,
      onConnect: async (ctx) => {
        const { headers } = upgradeRequest(yoga, ctx.extra.request, ctx.connectionParams);
        try {
          const caller = await access.authenticate(headers);
          const authorization = headers.get('authorization');
          if (caller.authenticated && authorization) {
            unwatch.set(
              ctx,
              access.keys.watch(authorization, () => void revoke(ctx)),
            );
          }
        } catch (err) {
          // No key where one is required, or a bad one: 4403 now, not 4500 at the first operation.
          if (isUnauthenticated(err)) return false;
          throw err;
        }
        // Gone while its key was checked: onClose has run already.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) {
          unwatch.get(ctx)?.();
          return false;
        }
        connections.add(ctx);
        return true;
      },
      onClose: (ctx) => {
        unwatch.get(ctx)?.();
        connections.delete(ctx);
      },
      execute: (args) => envelopes.get(args)!.execute(args),
      subscribe: async (args) => {
        const result = await envelopes.get(args)!.subscribe(args);
        return isAsyncIterable(result)
          ? endWithError(result as AsyncIterable<ExecutionResult>, logger)
          : result;
      },
      // Yoga's result processing, which writes errors in the caller's language and stamps their
      // trace id over HTTP, does not run here: the operation's context says the connection's
      // language, and its trace (README "Languages", "Tracing").
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as Context;
        const sent = withoutInternals(inLanguage(result, context.language));
        const traceId = traceIdFor(context);
        return traceId ? stampTraceId(sent, traceId) : sent;
      },
      onSubscribe: async (ctx, _id, params) => {
        const request = upgradeRequest(yoga, ctx.extra.request, ctx.connectionParams);
        const language = languageOf(request.headers);
        const enveloped = yoga.getEnveloped({ request, params });
        let document: ExecutionArgs['document'];
        try {
          document = enveloped.parse(params.query);
        } catch (err) {
          if (err instanceof GraphQLError) return [errorIn(err, language)];
          throw err;
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors.map((err: GraphQLError) => errorIn(err, language));
        let contextValue: unknown;
        try {
          contextValue = await enveloped.contextFactory();
        } catch (err) {
          if (!isUnauthenticated(err)) throw err;
          // Revoked since the connection was accepted: this operation gets the error, then the
          // socket closes as a revoked one does.
          setImmediate(() => ctx.extra.socket.close(FORBIDDEN, 'Forbidden'));
          return [errorIn(err as GraphQLError, language)];
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue,
        };
        envelopes.set(args, enveloped);
        return args;
      },
    },
    wss,
  );
  wss.on('error', (err) => logger.error({ err }, 'WebSocket server error'));

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        // No new socket from here on (ws stops listening for upgrades); resolves once every
        // socket has closed.
        const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
        const deadline = Date.now() + DRAIN_MS;
        const busy = () =>
          [...connections].some((ctx) => Object.keys(ctx.subscriptions).length > 0);
        while (busy() && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const socket of wss.clients) socket.close(GOING_AWAY, 'Server shutting down');
        // A client that does not answer the close handshake is cut (ws would wait 30 seconds).
        const cut = setTimeout(() => {
          for (const socket of wss.clients) socket.terminate();
        }, 1_000);
        await closed;
        clearTimeout(cut);
      })();
      return closing;
    },
  };
}

/**
 * The HTTP request the context is built from: the upgrade request's headers, with the API key,
 * client label and `Accept-Language` of the connection's `connectionParams` when it sends them
 * (browsers cannot set headers on a WebSocket; they send their own `Accept-Language` on the
 * upgrade). The context then authenticates it as over HTTP, and reads its language.
 */
function upgradeRequest(
  yoga: App,
  req: IncomingMessage,
  connectionParams: Record<string, unknown> | undefined,
): Request {
  const headers = new yoga.fetchAPI.Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  // The API key (and an anonymous caller's label, and language) as the connection's payload
  // gives them.
  for (const [name, spelled] of [
    ['authorization', 'Authorization'],
    ['x-client-id', 'x-client-id'],
    ['accept-language', 'Accept-Language'],
  ] as const) {
    const value = connectionParams?.[name] ?? connectionParams?.[spelled];
    if (value === undefined) continue;
    try {
      headers.set(name, String(value));
    } catch {
      // Not even a valid header value: as a bad header would be (a bad key is refused).
      if (name === 'authorization') headers.set(name, 'Bearer invalid');
      else headers.delete(name);
    }
  }
  const url = new URL(req.url ?? yoga.graphqlEndpoint, `http://${req.headers.host ?? 'localhost'}`);
  // POST: Yoga refuses mutations in a GET request, and an operation over the socket is not one.
  return new yoga.fetchAPI.Request(url, { method: 'POST', headers });
}

/**
 * A stream that fails ends with one last result carrying the (masked) error, as Yoga ends an SSE
 * stream; graphql-ws would send its own error message with the unmasked text and no locations.
 * A plain iterator, not an async generator: graphql-ws's `return()` (the client's `complete`, the
 * socket closing) must reach the stream at once, not after its next value.
 */
function endWithError(
  source: AsyncIterable<ExecutionResult>,
  logger: Logger,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let failed = false;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (failed) return { done: true, value: undefined };
      try {
        return await iterator.next();
      } catch (err) {
        failed = true;
        if (!(err instanceof GraphQLError)) logger.error({ err }, 'subscription stream failed');
        const error = maskError(err, 'Unexpected error.', false);
        const masked = error instanceof GraphQLError ? error : new GraphQLError(error.message);
        return { done: false, value: { errors: [masked] } };
      }
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}

/** Yoga's internal error extensions (`unexpected`, `http`), dropped as Yoga drops them over HTTP. */
function withoutInternals(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((err) => {
      const { unexpected: _u, http: _h, ...extensions } = err.extensions ?? {};
      return new GraphQLError(err.message, {
        nodes: err.nodes,
        source: err.source,
        positions: err.positions,
        path: err.path,
        originalError: err.originalError,
        extensions,
      });
    }),
  };
}
