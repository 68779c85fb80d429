import { Writable } from 'node:stream';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/** A gateway whose spans are kept in memory and whose log lines are kept as parsed JSON. */
export interface TracedGateway extends TestGateway {
  exporter: InMemorySpanExporter;
  /** Every log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
  spans(): ReadableSpan[];
}

export async function startTracedGateway(
  env: Record<string, string> = {},
  options: Partial<GatewayOptions> & { traced?: boolean } = {},
): Promise<TracedGateway> {
  const exporter = new InMemorySpanExporter();
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const { traced = true, ...rest } = options;
  const t = await startTestGateway({ LOG_LEVEL: 'debug', ...env }, undefined, {
    logger: createLogger('debug', sink),
    ...(traced ? { spanProcessors: [new SimpleSpanProcessor(exporter)] } : {}),
    ...rest,
  });
  return { ...t, exporter, logs, spans: () => exporter.getFinishedSpans() };
}

export const traceIdOf = (span: ReadableSpan) => span.spanContext().traceId;
export const spanIdOf = (span: ReadableSpan) => span.spanContext().spanId;
export const parentIdOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The one span named `name` (among `spans`), failing clearly when there is none or several. */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one span "${name}", found ${found.length} in: ${spans.map((s) => s.name)}`,
    );
  }
  return found[0]!;
}

/** The spans directly beneath `parent`. */
export function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter(
    (s) => traceIdOf(s) === traceIdOf(parent) && parentIdOf(s) === spanIdOf(parent),
  );
}

/** The spans of one trace. */
export function traceOf(spans: readonly ReadableSpan[], traceId: string): ReadableSpan[] {
  return spans.filter((s) => traceIdOf(s) === traceId);
}

/** Every attribute value of every span and span event, as text, for "nothing secret" checks. */
export function recordedText(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((s) => ({
      name: s.name,
      attributes: s.attributes,
      status: s.status,
      events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      resource: s.resource.attributes,
    })),
  );
}
