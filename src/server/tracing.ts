import { type Attributes, context, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  Kind,
} from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import {
  activeOperation,
  callerContext,
  callerTraceId,
  failSpan,
  inOperation,
  type OperationTrace,
  operationTraceOf,
  startOperationChild,
  traceIdOf,
  traceOperation,
} from '../tracing.js';

/**
 * The operation's span and the trace id in every error (README "Tracing"):
 *
 * - over HTTP, a span per GraphQL request from its arrival to its response, child of the caller's
 *   W3C `traceparent`, so edge refusals (body, limits, key) have one too; over WebSocket, a span
 *   per operation's execution, child of the upgrade request's `traceparent`;
 * - named `<type> <name>` once the document is known, with the client (never its key) and the
 *   outcome: the first error's code, else the first typed error a root field answered, else OK;
 * - a subscription's span is its setup; each payload is a `graphql.subscription.delivery` span
 *   beneath it (started by the subscription field’s resolver, `src/schema/tracing.ts`, ended by
 *   `useSubscriptionSpans` when it is sent), and the stream’s end a `graphql.subscription.end` span;
 * - every error of an HTTP answer, edge refusals and masked errors included, carries the trace
 *   id as `extensions.traceId` (`stampTraceId` does the same over WebSocket). With tracing off,
 *   a caller's own `traceparent` trace id is stamped, so its trace still leads to the answer.
 *
 * Nothing of the document, its variables or the answer's data is recorded.
 */
export function useTracing(tracer: Tracer | null, graphqlEndpoint: string): Plugin {
  return {
    instrumentation: tracer
      ? {
          request({ request }, wrapped) {
            if (!isGraphQLRequest(request, graphqlEndpoint)) return wrapped();
            return traced(
              tracer,
              request.headers,
              { 'http.request.method': request.method },
              wrapped,
            );
          },
          // WebSocket operations have no HTTP request of their own: their span is their execution.
          execute: ({ context: graphqlContext }, wrapped) =>
            activeOperation() ? wrapped() : traced(tracer, headersOf(graphqlContext), {}, wrapped),
          subscribe: ({ context: graphqlContext }, wrapped) =>
            activeOperation() ? wrapped() : traced(tracer, headersOf(graphqlContext), {}, wrapped),
        }
      : undefined,
    onExecute({ args }) {
      const operation = describe(args);
      if (!operation) return;
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) settle(operation, result.errors);
        },
      };
    },
    onSubscribe({ args }) {
      describe(args);
    },
    onResultProcess({ request, result, setResult }) {
      const operation = activeOperation();
      const traceId = operation ? traceIdOf(operation.span) : callerTraceId(request.headers);
      if (isAsyncIterable(result)) {
        if (traceId) setResult(mapAsyncIterator(result, (r) => stampTraceId(r, traceId)));
        return;
      }
      const results = Array.isArray(result) ? result : [result];
      if (operation) settle(operation, results[0]?.errors);
      if (!traceId || !results.some((r) => r.errors?.length)) return;
      const stamped = results.map((r) => stampTraceId(r, traceId));
      setResult(Array.isArray(result) ? stamped : stamped[0]!);
    },
  };
}

/**
 * A subscription's deliveries and end, beneath its setup span (`useTracing`). After the plugins
 * that shape each payload (`useStreamEventIds`), so a delivery records the event id sent.
 */
export function useSubscriptionSpans(): Plugin {
  return {
    onSubscribe({ args }) {
      const operation = operationTraceOf(args.contextValue);
      if (!operation) return;
      const openedAt = performance.now();
      return {
        onSubscribeResult() {
          return {
            onNext({ result }) {
              endDelivery(operation, result);
            },
            onEnd() {
              // A payload whose resolution began but that was never sent (the client left).
              operation.delivery?.setAttribute('gateway.outcome', 'NOT_SENT');
              operation.delivery?.end();
              operation.delivery = undefined;
              startOperationChild(operation, 'graphql.subscription.end', {
                'graphql.subscription.deliveries': operation.deliveries,
                'graphql.subscription.open_ms': Math.round(performance.now() - openedAt),
              }).end();
            },
          };
        },
      };
    },
  };
}

/** A GraphQL request to trace: not GraphiQL's page, `/healthz`, `/metrics` or the console. */
function isGraphQLRequest(request: Request, endpoint: string): boolean {
  const url = new URL(request.url);
  if (url.pathname !== endpoint) return false;
  if (request.method === 'POST') return true;
  return (
    request.method === 'GET' &&
    (url.searchParams.has('query') || url.searchParams.has('extensions'))
  );
}

function headersOf(graphqlContext: { request?: Request }): Headers {
  return graphqlContext.request?.headers ?? new Headers();
}

/**
 * Runs `wrapped` as an operation: a span, child of the caller's `traceparent`, active while it
 * runs and ended once it is over, whichever way, with the outcome the hooks found.
 */
function traced(
  tracer: Tracer,
  headers: Headers,
  attributes: Attributes,
  wrapped: () => void | Promise<void>,
): Promise<void> {
  const parent = callerContext(headers, tracer);
  const span = tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER, attributes }, parent);
  const operation: OperationTrace = { tracer, span, deliveries: 0 };
  const end = () => {
    span.setAttribute('gateway.outcome', operation.outcome ?? operation.typedOutcome ?? 'OK');
    if (operation.outcome) failSpan(span, operation.outcome);
    span.end();
  };
  try {
    return Promise.resolve(context.with(inOperation(parent, operation), wrapped)).finally(end);
  } catch (err) {
    end();
    throw err;
  }
}

/**
 * Names the operation's span once the document is known and files it under the GraphQL context,
 * where resolvers (and WebSocket's `stampTraceId`) find it.
 */
function describe(args: ExecutionArgs): OperationTrace | undefined {
  const operation = activeOperation();
  if (!operation) return undefined;
  const graphqlContext = args.contextValue as { clientId?: string };
  traceOperation(graphqlContext, operation);
  const ast = getOperationAST(args.document, args.operationName);
  const type = ast?.operation ?? 'query';
  const name = ast?.name?.value;
  const rootFields =
    ast?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ??
    [];
  operation.span.updateName(name ? `${type} ${name}` : type);
  operation.span.setAttributes({
    'graphql.operation.type': type,
    'graphql.operation.root_fields': rootFields,
    ...(name ? { 'graphql.operation.name': name } : {}),
    ...(graphqlContext.clientId ? { 'gateway.client.id': graphqlContext.clientId } : {}),
  });
  return operation;
}

/** The first error's code is the operation's outcome (unset: no top-level error). */
function settle(operation: OperationTrace, errors: readonly unknown[] | undefined): void {
  operation.outcome = errors?.length ? errorCode(errors[0]) : undefined;
}

/**
 * An error's code: its extension, else (before Yoga's mask gives it one) its gateway error's;
 * anything else is what the mask makes of it.
 */
function errorCode(error: unknown): string {
  const e = error as { extensions?: { code?: unknown }; originalError?: { code?: unknown } };
  const code = e?.extensions?.code ?? e?.originalError?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** A subscription payload was sent: its delivery span ends with its event id and outcome. */
function endDelivery(operation: OperationTrace, result: ExecutionResult): void {
  const span: Span =
    operation.delivery ?? startOperationChild(operation, 'graphql.subscription.delivery');
  operation.delivery = undefined;
  operation.deliveries += 1;
  span.setAttribute('graphql.subscription.delivery', operation.deliveries);
  const eventId = result.extensions?.eventId;
  if (typeof eventId === 'string') span.setAttribute('graphql.subscription.event_id', eventId);
  const outcome = result.errors?.length ? errorCode(result.errors[0]) : 'OK';
  span.setAttribute('gateway.outcome', outcome);
  if (outcome !== 'OK') failSpan(span, outcome);
  span.end();
}

/**
 * The trace id an operation's errors carry: its span's, or, tracing off, its caller's
 * `traceparent`'s (for WebSocket, the upgrade request's).
 */
export function traceIdFor(graphqlContext: unknown): string | undefined {
  const operation = operationTraceOf(graphqlContext);
  if (operation) return traceIdOf(operation.span);
  const request = (graphqlContext as { request?: Request } | null)?.request;
  return request ? callerTraceId(request.headers) : undefined;
}

/** The result with `extensions.traceId` on each of its errors. */
export function stampTraceId<R extends ExecutionResult>(result: R, traceId: string): R {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map((e) => withTraceId(e, traceId)) };
}

function withTraceId(error: GraphQLError, traceId: string): GraphQLError {
  const extensions = { ...error.extensions, traceId };
  if (!(error instanceof GraphQLError)) {
    // Some plugins answer with plain `{ message, extensions }` objects.
    return { ...(error as object), extensions } as unknown as GraphQLError;
  }
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}
