import { readdirSync, readFileSync } from 'node:fs';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/**
 * The Prometheus plugin, with `operationName` bounded to the operations of `operations/` (and
 * `other`), and no label taken from a caller-chosen string: without this, every distinct name a
 * caller sends is a new time series, kept forever.
 */
export function metricsPlugin(registry: Registry, known = knownOperationNames()): Plugin {
  const plugin = usePrometheus({
    endpoint: '/metrics',
    registry,
    // `url` has the query string; `path` has the caller's aliases.
    labels: { url: false, path: false },
    // What operators read: requests, their duration and errors per operation, and HTTP
    // durations. The rest costs on every request (the deprecated-field counter walks each
    // document with a TypeInfo; a summary computes quantiles) and is off. Nothing per resolver.
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(plugin);
    },
    // The plugin creates most of its metrics while plugins initialise: bound them after that.
    onYogaInit() {
      boundLabel(registry, 'operationName', (name) => (known.has(String(name)) ? name : 'other'));
    },
  };
}

/** The operation names in `operations/*.graphql`, read once at start. */
export function knownOperationNames(
  dir = new URL('../../../operations/', import.meta.url),
): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
    for (const def of parse(readFileSync(new URL(file, dir), 'utf8')).definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION && def.name) names.add(def.name.value);
    }
  }
  return names;
}

type Labels = Record<string, string | number>;

/**
 * Rewrites one label on every metric of the registry that has it. The plugin fills labels in
 * a dozen places from the request; the registry's metrics are the one place they all pass.
 */
function boundLabel(
  registry: Registry,
  label: string,
  bound: (value: string | number) => string | number,
): void {
  const fix = (labels: unknown) =>
    labels && typeof labels === 'object' && label in labels
      ? { ...(labels as Labels), [label]: bound((labels as Labels)[label]!) }
      : labels;
  for (const metric of registry.getMetricsAsArray()) {
    const m = metric as unknown as Record<string, unknown> & { labelNames?: string[] };
    if (!m.labelNames?.includes(label)) continue;
    for (const method of ['observe', 'inc', 'labels', 'startTimer', 'set', 'dec']) {
      const original = m[method];
      if (typeof original !== 'function') continue;
      m[method] = (first: unknown, ...rest: unknown[]) =>
        original.call(metric, fix(first), ...rest);
    }
  }
}
