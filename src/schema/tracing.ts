import { context, trace } from '@opentelemetry/api';
import type { PothosOutputFieldConfig, SchemaTypes } from '@pothos/core';
import { isRootField } from '@pothos/plugin-tracing';
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import {
  activeTracer,
  failSpan,
  failureCode,
  operationTraceOf,
  startOperationChild,
} from '../tracing.js';

/**
 * Resolver spans (README "Tracing"), through `@pothos/plugin-tracing`. Traced are the fields
 * where work that calls out starts: every root query and mutation field (each sale, VAS change,
 * purchase, call and look-up begins at one), and the nested fields that ask a vendor themselves,
 * which say `tracing: true` beside their resolver (`Subscriber.vasSubscription`). A subscription
 * field's resolver runs once per payload: there it starts the payload's delivery span instead.
 * A resolver outside a traced operation runs as it is, after one context lookup.
 */
export function tracedByDefault<Types extends SchemaTypes>(
  config: PothosOutputFieldConfig<Types>,
): boolean {
  return isRootField(config);
}

export function traceResolver<Types extends SchemaTypes>(
  resolver: GraphQLFieldResolver<unknown, Types['Context'], Record<string, unknown>>,
  _options: unknown,
  config: PothosOutputFieldConfig<Types>,
): GraphQLFieldResolver<unknown, Types['Context'], Record<string, unknown>> {
  const field = `${config.parentType}.${config.name}`;
  if (config.parentType === 'Subscription') {
    return (source, args, ctx, info) => {
      const operation = operationTraceOf(ctx);
      if (operation && !operation.delivery) {
        operation.delivery = startOperationChild(operation, 'graphql.subscription.delivery', {
          'graphql.field': field,
        });
      }
      return resolver(source, args, ctx, info);
    };
  }
  const root = config.parentType === 'Query' || config.parentType === 'Mutation';
  return (source, args, ctx, info) => {
    const active = context.active();
    const tracer = activeTracer(active);
    if (!tracer) return resolver(source, args, ctx, info);
    const span = tracer.startSpan(
      `graphql.resolve ${field}`,
      { attributes: { 'graphql.field': field, 'graphql.field.path': pathOf(info) } },
      active,
    );
    // The field's outcome: OK, or the code of the error it answered. plugin-errors turns an error
    // a result union lists into its member after this wrapper, so a typed error is a throw here;
    // the operation's outcome takes it unless a top-level error came (`useTracing`).
    const done = (value: unknown) => {
      span.setAttribute('gateway.outcome', 'OK');
      span.end();
      return value;
    };
    const failed = (err: unknown) => {
      const code = failureCode(err);
      span.setAttribute('gateway.outcome', code);
      failSpan(span, code);
      span.end();
      if (root) {
        const operation = operationTraceOf(ctx);
        if (operation) operation.typedOutcome ??= code;
      }
      throw err;
    };
    let result: unknown;
    try {
      result = context.with(trace.setSpan(active, span), () => resolver(source, args, ctx, info));
    } catch (err) {
      return failed(err);
    }
    return isPromise(result) ? result.then(done, failed) : done(result);
  };
}

/** `subscriber.vasSubscription`, `orders.edges.0.node`: aliases and indexes, never a value. */
function pathOf(info: GraphQLResolveInfo): string {
  const keys: Array<string | number> = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) keys.push(p.key);
  return keys.reverse().join('.');
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
