import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * OpenTelemetry tracing (README "Tracing"): the tracer, and the few helpers every layer uses to
 * add its span beneath the one active. Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set (or a test
 * hands in a span processor): then no provider, no exporter and no context manager exist, and
 * each helper below is one lookup that finds no tracer.
 *
 * The tracer is not global: the gateway hands it to the roots it starts (an operation, over HTTP
 * or WebSocket), which put it in the OpenTelemetry context; the layers beneath (a resolver, a
 * vendor call, a database transaction) find it there. So two gateways in one process (tests)
 * never see each other's spans, and work outside an operation (the sweeper) makes none.
 */

/** `config.tracing`: where spans go. */
export interface TracingConfig {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string | null;
  /** `service.name` of every span (`OTEL_SERVICE_NAME`). */
  serviceName: string;
  /** Headers of each export (`OTEL_EXPORTER_OTLP_HEADERS`), e.g. a collector's API key. */
  headers: Record<string, string>;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports the spans still buffered, then stops (the gateway's `close`). */
  shutdown(): Promise<void>;
}

/**
 * The gateway's tracing, or null when it is off. `processors` are added to the exporter's (tests
 * give an `InMemorySpanExporter`'s); with none and no endpoint, tracing is off.
 */
export function createTracing(
  config: TracingConfig,
  processors: readonly SpanProcessor[] = [],
): Tracing | null {
  if (!config.endpoint && processors.length === 0) return null;
  useAsyncContext();
  const exporting = config.endpoint
    ? [
        new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: `${config.endpoint.replace(/\/+$/, '')}/v1/traces`,
            headers: config.headers,
          }),
        ),
      ]
    : [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    spanProcessors: [...processors, ...exporting],
  });
  return {
    tracer: provider.getTracer('telco-gateway'),
    shutdown: () => provider.shutdown(),
  };
}

let contextManager: AsyncLocalStorageContextManager | null = null;

/**
 * Spans and log lines find the active span across `await`s through AsyncLocalStorage. The
 * context manager is the one global piece: it holds no tracer and no span, only what each async
 * path carries, so it is registered once per process, by the first gateway that traces.
 */
function useAsyncContext(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

const TRACER = createContextKey('telco-gateway tracer');

/** `parent` with `tracer` making the spans beneath it. */
export function withTracer(parent: Context, tracer: Tracer): Context {
  return parent.setValue(TRACER, tracer);
}

/** The tracer of the work in progress; undefined outside a traced operation (or tracing off). */
export function activeTracer(ctx: Context = context.active()): Tracer | undefined {
  return ctx.getValue(TRACER) as Tracer | undefined;
}

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/**
 * The caller's trace (W3C `traceparent`, `tracestate`) as a parent context, with `tracer`; the
 * root context with `tracer` when the caller sent none (or a malformed one).
 */
export function callerContext(headers: Headers, tracer: Tracer): Context {
  return withTracer(propagator.extract(ROOT_CONTEXT, headers, headerGetter), tracer);
}

/** The trace id of a caller's valid `traceparent`, else undefined (tracing off: see README). */
export function callerTraceId(headers: Headers): string | undefined {
  if (!headers.has('traceparent')) return undefined;
  const span = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, headerGetter));
  return span && isSpanContextValid(span) ? span.traceId : undefined;
}

/** The trace id of a span, or of the active one. */
export function traceIdOf(span: Span | undefined = trace.getActiveSpan()): string | undefined {
  const ctx = span?.spanContext();
  return ctx && isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

/** pino's `mixin`: every log line written inside a traced operation carries its trace id. */
export function traceLogFields(): { traceId?: string } {
  const traceId = traceIdOf();
  return traceId ? { traceId } : {};
}

export interface ChildSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

/**
 * A span beneath the active one, started now, or undefined when the active work is not traced.
 * The caller ends it (`endSpan`); for work with a start and an end in two places (a database
 * transaction's BEGIN and COMMIT).
 */
export function startChildSpan(name: string, options: ChildSpanOptions = {}): Span | undefined {
  const active = context.active();
  return activeTracer(active)?.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    active,
  );
}

/**
 * Runs `fn` in a span beneath the active one (active while it runs, so what it calls nests
 * below), when the work is traced; otherwise just runs it. A throw marks the span failed with
 * `failureCode` of the error, never its message (which may quote what a caller sent).
 */
export function inSpan<T>(
  name: string,
  options: ChildSpanOptions,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const active = context.active();
  const tracer = activeTracer(active);
  if (!tracer) return fn(undefined);
  const span = tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    active,
  );
  return context.with(trace.setSpan(active, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, failureCode(err));
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with a code (`VENDOR_TIMEOUT`, `DATABASE_UNAVAILABLE`, ...). */
export function failSpan(span: Span, code: string): void {
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/**
 * What a span may say about an error: its stable code (a gateway error's or GraphQL extension's
 * `code`, a driver's SQLSTATE), else its class name. Never the message.
 */
export function failureCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; extensions?: { code?: unknown }; name?: unknown };
    if (typeof e.extensions?.code === 'string') return e.extensions.code;
    if (typeof e.code === 'string') return e.code;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

/**
 * One GraphQL operation's trace: its span (over HTTP, from the request to the response, a
 * subscription's setup included; over WebSocket, its execution), the outcome the resolvers saw,
 * and a subscription's deliveries. Found by the operation's GraphQL context object.
 */
export interface OperationTrace {
  readonly tracer: Tracer;
  readonly span: Span;
  /** The first top-level error's code; unset while there is none. */
  outcome?: string;
  /** The code of the first typed error a root field answered (a result union's error member). */
  typedOutcome?: string;
  /** The delivery of a subscription payload being resolved, ended when it is sent. */
  delivery?: Span;
  deliveries: number;
}

const operations = new WeakMap<object, OperationTrace>();
const OPERATION = createContextKey('telco-gateway operation');

/** `parent` inside the operation: its span active, and the operation found by `activeOperation`. */
export function inOperation(parent: Context, operation: OperationTrace): Context {
  return trace.setSpan(parent, operation.span).setValue(OPERATION, operation);
}

/** The operation whose work is in progress (its request, its execution). */
export function activeOperation(): OperationTrace | undefined {
  return context.active().getValue(OPERATION) as OperationTrace | undefined;
}

export function traceOperation(graphqlContext: object, operation: OperationTrace): void {
  operations.set(graphqlContext, operation);
}

export function operationTraceOf(graphqlContext: unknown): OperationTrace | undefined {
  return graphqlContext && typeof graphqlContext === 'object'
    ? operations.get(graphqlContext)
    : undefined;
}

/** A span beneath an operation's, even after that one ended (a subscription's deliveries). */
export function startOperationChild(
  operation: OperationTrace,
  name: string,
  attributes: Attributes = {},
): Span {
  const parent = withTracer(trace.setSpan(ROOT_CONTEXT, operation.span), operation.tracer);
  return operation.tracer.startSpan(name, { attributes }, parent);
}
