import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  wrap,
} from 'cockatiel';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { type Dispatcher, Pool } from 'undici';
import { maskPhone } from '../domain/phone.js';
import { failSpan, failureCode, inSpan } from '../tracing.js';
import { VendorError, type VendorErrorCode, type VendorErrorInit } from './vendor-error.js';

/**
 * The one outbound HTTP layer. Every vendor call goes through `VendorHttp.call`, which owns the
 * connection pool, timeouts, body cap, circuit breaker, bulkhead, retries for reads, metrics and
 * the per-call log line. Vendor clients only build requests and parse replies.
 */

export { VendorError, type VendorErrorCode, type VendorErrorInit } from './vendor-error.js';

export interface VendorReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface VendorCall<T> {
  /** A short stable name for metrics and logs, e.g. `get-otp`. */
  operation: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * True only for reads. A call that creates something (an OTP, a registration, a call, a
   * purchase) is made exactly once: never retried, and its timeout means the outcome is unknown.
   */
  safeToRepeat: boolean;
  /** Statuses whose body the parser reads; by default 2xx. Other statuses are `VENDOR_HTTP`. */
  acceptStatus?: (status: number) => boolean;
  /**
   * Turns the reply into the result. Throw a `VendorError` (e.g. `VENDOR_REJECTED`) to fail; any
   * other exception (a zod error, a JSON syntax error) becomes `VENDOR_BAD_RESPONSE`.
   */
  parse: (reply: VendorReply) => T;
  /** A phone number the call is about: logged masked, never in full. */
  phone?: string;
}

export interface VendorHttpOptions {
  vendor: string;
  baseUrl: string;
  /** Whole-call deadline per attempt (connect, headers and body), in milliseconds. */
  timeoutMs: number;
  /** Connect timeout; defaults to the smaller of 5 s and `timeoutMs`. */
  connectTimeoutMs?: number;
  maxBodyBytes: number;
  /** Extra attempts for `safeToRepeat` calls after the first; 0 disables retries. */
  readRetries: number;
  retryInitialDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Consecutive failures that open the breaker. */
  breakerFailures: number;
  /** How long the breaker stays open before letting one trial call through. */
  breakerHalfOpenMs: number;
  /**
   * Calls in flight at once. More wait their turn, each for up to `queueTimeoutMs` (then
   * VENDOR_UNAVAILABLE, nothing sent): a burst is queued, not refused.
   */
  maxConcurrency: number;
  /** How long a call may wait for a slot; defaults to `timeoutMs`. */
  queueTimeoutMs?: number;
  metrics: VendorMetrics;
  logger: Logger;
  /** Injected dispatcher (a test `MockAgent`); by default a keep-alive `Pool` for the origin. */
  dispatcher?: Dispatcher;
}

/** A call waited for a bulkhead slot for the whole vendor timeout. */
class QueueTimeout extends Error {
  override name = 'QueueTimeout';
}

/** Prometheus metrics shared by every vendor, labelled by vendor and operation. */
export class VendorMetrics {
  readonly calls: Counter<'vendor' | 'operation' | 'outcome'>;
  readonly errors: Counter<'vendor' | 'operation' | 'code'>;
  readonly duration: Histogram<'vendor' | 'operation'>;

  constructor(registry: Registry) {
    this.calls = new Counter({
      name: 'vendor_calls_total',
      help: 'Vendor calls by vendor, operation and outcome (ok or error), counting each attempt.',
      labelNames: ['vendor', 'operation', 'outcome'],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'vendor_errors_total',
      help: 'Failed vendor calls by vendor, operation and VendorError code.',
      labelNames: ['vendor', 'operation', 'code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'vendor_call_duration_seconds',
      help: 'Latency of vendor calls, per attempt, in seconds.',
      labelNames: ['vendor', 'operation'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers: [registry],
    });
  }
}

/** Failures that say the vendor is unwell, as opposed to the vendor saying no. */
function isVendorFault(err: unknown): boolean {
  if (!(err instanceof VendorError)) return false;
  switch (err.code) {
    case 'VENDOR_TIMEOUT':
    case 'VENDOR_BAD_RESPONSE':
      return true;
    case 'VENDOR_UNAVAILABLE':
      return !(
        err.cause instanceof BrokenCircuitError || err.cause instanceof BulkheadRejectedError
      );
    case 'VENDOR_HTTP':
      return (err.status ?? 0) >= 500;
    default:
      return false;
  }
}

function isTransient(err: unknown): boolean {
  if (!(err instanceof VendorError)) return false;
  if (err.code === 'VENDOR_HTTP') return (err.status ?? 0) >= 500 || err.status === 429;
  return err.code === 'VENDOR_TIMEOUT' || (err.code === 'VENDOR_UNAVAILABLE' && isVendorFault(err));
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** What a call's span records as its attempts go (`VendorHttp.call`). */
interface CallTrail {
  span: Span | undefined;
  attempts: number;
  /** The last HTTP status received, if any. */
  status: number | null;
}

function attemptAttributes(
  attempt: number,
  status: number | null,
  error: VendorError | null,
): Attributes {
  return {
    'vendor.attempt': attempt,
    ...(status === null ? {} : { 'http.response.status_code': status }),
    ...(error ? { 'error.type': error.code } : {}),
  };
}

export class VendorHttp {
  readonly vendor: string;
  private readonly origin: string;
  private readonly host: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly once: IPolicy;
  private readonly repeatable: IPolicy;
  readonly breaker: ReturnType<typeof circuitBreaker>;

  constructor(private readonly opts: VendorHttpOptions) {
    this.vendor = opts.vendor;
    const url = new URL(opts.baseUrl);
    this.origin = url.origin;
    this.host = url.hostname;
    this.basePath = url.pathname.replace(/\/+$/, '');
    const connectTimeout = opts.connectTimeoutMs ?? Math.min(5_000, opts.timeoutMs);
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher =
      opts.dispatcher ??
      new Pool(this.origin, {
        connections: opts.maxConcurrency,
        connect: { timeout: connectTimeout },
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
        keepAliveTimeout: 30_000,
      });

    this.breaker = circuitBreaker(handleWhen(isVendorFault), {
      halfOpenAfter: opts.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(opts.breakerFailures),
    });
    // The queue is bounded by time (`queued`), not by length; the length cap only keeps a stuck
    // vendor from collecting waiters without end.
    const limiter = bulkhead(opts.maxConcurrency, Math.max(1_000, opts.maxConcurrency * 50));
    this.once = wrap(this.breaker, limiter);
    this.repeatable =
      opts.readRetries > 0
        ? wrap(
            retry(handleWhen(isTransient), {
              maxAttempts: opts.readRetries,
              backoff: new ExponentialBackoff({
                initialDelay: opts.retryInitialDelayMs ?? 100,
                maxDelay: opts.retryMaxDelayMs ?? 2_000,
              }),
            }),
            this.breaker,
            limiter,
          )
        : this.once;
  }

  /**
   * Makes the call, in a span when the request is traced (README "Tracing"): the vendor, the
   * operation, each attempt's HTTP status, the vendor's code, the outcome, how many attempts and
   * the breaker's state after. Never a body, a header, the path or a full phone number.
   */
  call<T>(call: VendorCall<T>): Promise<T> {
    const attributes: Attributes = {
      'vendor.name': this.vendor,
      'vendor.operation': call.operation,
      'vendor.safe_to_repeat': call.safeToRepeat,
      'server.address': this.host,
    };
    if (call.phone) attributes['gateway.phone'] = maskPhone(call.phone);
    return inSpan(
      `${this.vendor} ${call.operation}`,
      { kind: SpanKind.CLIENT, attributes },
      async (span) => {
        const trail: CallTrail = { span, attempts: 0, status: null };
        try {
          const result = await this.run(call, trail);
          this.traced(trail, null);
          return result;
        } catch (err) {
          this.traced(trail, err);
          throw err;
        }
      },
    );
  }

  private async run<T>(call: VendorCall<T>, trail: CallTrail): Promise<T> {
    const policy = call.safeToRepeat ? this.repeatable : this.once;
    try {
      return await this.queued((signal, start) =>
        policy.execute(() => {
          start();
          return this.attempt(call, ++trail.attempts, trail);
        }, signal),
      );
    } catch (err) {
      if (err instanceof VendorError) throw err;
      if (err instanceof BrokenCircuitError) {
        throw this.fail(call, {
          code: 'VENDOR_UNAVAILABLE',
          message: `${this.vendor} is failing; calls are paused for a while (circuit open)`,
          attempted: false,
          cause: err,
        });
      }
      if (err instanceof BulkheadRejectedError || err instanceof QueueTimeout) {
        throw this.fail(call, {
          code: 'VENDOR_UNAVAILABLE',
          message: `${this.vendor} has too many calls in flight; try again shortly`,
          attempted: false,
          cause: err,
        });
      }
      throw err;
    }
  }

  /** The call's span, once it is over: what came of it. */
  private traced(trail: CallTrail, err: unknown): void {
    const { span } = trail;
    if (!span) return;
    span.setAttributes({
      'vendor.attempts': trail.attempts,
      'vendor.breaker.state': CircuitState[this.breaker.state].toLowerCase(),
    });
    if (trail.status !== null) span.setAttribute('http.response.status_code', trail.status);
    if (!err) {
      span.setAttribute('vendor.outcome', 'ok');
      return;
    }
    if (err instanceof VendorError) {
      span.setAttributes({
        'vendor.outcome': err.code,
        'vendor.outcome_unknown': err.outcomeUnknown,
      });
      if (err.vendorCode) span.setAttribute('vendor.code', err.vendorCode);
      if (err.status != null && trail.status === null) {
        span.setAttribute('http.response.status_code', err.status);
      }
    }
    failSpan(span, failureCode(err));
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /**
   * Runs `run` if it starts within `queueTimeoutMs` (the vendor timeout): a call still waiting
   * for a bulkhead slot by then gives up with QueueTimeout, and its aborted signal makes the bulkhead drop it unsent.
   * A call that started is not cut by this: its own timeouts apply.
   */
  private queued<T>(run: (signal: AbortSignal, start: () => void) => Promise<T>): Promise<T> {
    const waiting = new AbortController();
    let started = false;
    const execution = run(waiting.signal, () => {
      started = true;
    });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (started) return;
        waiting.abort();
        // The bulkhead rejects the dropped call when its turn comes; nobody waits for that.
        execution.catch(() => {});
        reject(new QueueTimeout());
      }, this.opts.queueTimeoutMs ?? this.opts.timeoutMs);
      execution.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private async attempt<T>(call: VendorCall<T>, attempt: number, trail: CallTrail): Promise<T> {
    const started = performance.now();
    const labels = { vendor: this.vendor, operation: call.operation };
    let status: number | null = null;
    try {
      const reply = await this.send(call);
      status = reply.status;
      trail.status = status;
      const accept = call.acceptStatus ?? ((s: number) => s >= 200 && s < 300);
      if (!accept(reply.status)) {
        throw new VendorError({
          vendor: this.vendor,
          code: 'VENDOR_HTTP',
          status: reply.status,
          message: `${this.vendor} answered HTTP ${reply.status}`,
          // A gateway error (502/504) from a proxy in front of the vendor says nothing about
          // whether the vendor acted.
          outcomeUnknown: !call.safeToRepeat && (reply.status === 502 || reply.status === 504),
        });
      }
      let result: T;
      try {
        result = call.parse(reply);
      } catch (err) {
        if (err instanceof VendorError) throw err;
        throw new VendorError({
          vendor: this.vendor,
          code: 'VENDOR_BAD_RESPONSE',
          status: reply.status,
          message: `${this.vendor} sent a reply that is not the documented shape`,
          // A create call whose reply cannot be read may still have created something.
          outcomeUnknown: !call.safeToRepeat,
          cause: err,
        });
      }
      this.observe(labels, started, 'ok');
      this.log(call, attempt, status, started, null);
      trail.span?.addEvent('vendor.attempt', attemptAttributes(attempt, status, null));
      return result;
    } catch (err) {
      const error = err instanceof VendorError ? err : this.translate(err, call);
      this.observe(labels, started, 'error', error.code);
      this.log(call, attempt, status, started, error);
      trail.span?.addEvent('vendor.attempt', attemptAttributes(attempt, status, error));
      throw error;
    }
  }

  private async send(call: VendorCall<unknown>): Promise<VendorReply> {
    const deadline = AbortSignal.timeout(this.opts.timeoutMs);
    const res = await this.dispatcher.request({
      origin: this.origin,
      path: this.basePath + call.path,
      method: call.method ?? 'POST',
      headers: call.headers,
      body: call.body,
      signal: deadline,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.opts.maxBodyBytes) {
          res.body.destroy();
          throw new VendorError({
            vendor: this.vendor,
            code: 'VENDOR_BAD_RESPONSE',
            status: res.statusCode,
            message: `${this.vendor} sent a reply larger than ${this.opts.maxBodyBytes} bytes`,
            outcomeUnknown: !call.safeToRepeat,
          });
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof VendorError) throw err;
      // Headers arrived, so the vendor has the request: a failure now leaves its outcome open.
      throw this.translate(err, call, true);
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
  }

  /** Maps undici and socket errors onto the VendorError codes. */
  private translate(err: unknown, call: VendorCall<unknown>, afterHeaders = false): VendorError {
    const code = (err as { code?: string } | null)?.code ?? '';
    const name = (err as { name?: string } | null)?.name ?? '';
    const unknownOutcome = !call.safeToRepeat;
    if (
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      name === 'TimeoutError' ||
      code === 'UND_ERR_ABORTED' ||
      name === 'AbortError'
    ) {
      return new VendorError({
        vendor: this.vendor,
        code: 'VENDOR_TIMEOUT',
        message: `${this.vendor} did not answer within ${this.opts.timeoutMs} ms`,
        outcomeUnknown: unknownOutcome,
        cause: err,
      });
    }
    if (CONNECT_ERRORS.has(code) && !afterHeaders) {
      // The request never reached the vendor: nothing happened there.
      return new VendorError({
        vendor: this.vendor,
        code: 'VENDOR_UNAVAILABLE',
        message: `${this.vendor} cannot be reached (${code})`,
        outcomeUnknown: false,
        cause: err,
      });
    }
    return new VendorError({
      vendor: this.vendor,
      code: 'VENDOR_UNAVAILABLE',
      message: `${this.vendor} dropped the connection${code ? ` (${code})` : ''}`,
      outcomeUnknown: unknownOutcome,
      cause: err,
    });
  }

  private fail(call: VendorCall<unknown>, init: Omit<VendorErrorInit, 'vendor'>): VendorError {
    const error = new VendorError({ vendor: this.vendor, ...init });
    this.opts.metrics.errors.inc({
      vendor: this.vendor,
      operation: call.operation,
      code: error.code,
    });
    this.log(call, 0, null, performance.now(), error);
    return error;
  }

  private observe(
    labels: { vendor: string; operation: string },
    started: number,
    outcome: 'ok' | 'error',
    code?: VendorErrorCode,
  ): void {
    const m = this.opts.metrics;
    m.calls.inc({ ...labels, outcome });
    m.duration.observe(labels, (performance.now() - started) / 1000);
    if (code) m.errors.inc({ ...labels, code });
  }

  private log(
    call: VendorCall<unknown>,
    attempt: number,
    status: number | null,
    started: number,
    error: VendorError | null,
  ): void {
    const fields = {
      vendor: this.vendor,
      operation: call.operation,
      attempt,
      status,
      ms: Math.round(performance.now() - started),
      phone: call.phone ? maskPhone(call.phone) : undefined,
      error: error
        ? { code: error.code, vendorCode: error.vendorCode, outcomeUnknown: error.outcomeUnknown }
        : undefined,
    };
    if (error) this.opts.logger.warn(fields, `vendor call failed: ${error.message}`);
    else this.opts.logger.debug(fields, 'vendor call');
  }
}
