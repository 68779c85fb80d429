import type { InterfaceParam } from '@pothos/core';
import { ERROR_CLASSES, type ErrorName, type GatewayError } from '../domain/errors.js';
import { builder } from './builder.js';

/**
 * What every error type is built on: the `Error` interface (its fields, with the `ErrorCode`
 * enum, are implemented in `errors.ts`, which gathers every error) and `errorType`, with which
 * each error type is defined beside the fields that answer it (`sales-errors.ts`,
 * `vas-errors.ts`, ...).
 */
export const ErrorInterface = builder.interfaceRef<GatewayError>('Error');

export type Types = typeof builder.$inferSchemaTypes;

export interface ErrorEntry {
  /** Describes both the error's type and its `ErrorCode` value. */
  description: string;
  /** Whether the error has a GraphQL type (it can be a member of result unions). */
  typed: boolean;
}

/**
 * Defines the GraphQL type of one registered error, for result unions: its name is the class's
 * name, and its description is also its `ErrorCode` value's.
 */
export function errorType<N extends ErrorName>(
  name: N,
  options: {
    description: string;
    /** Interfaces besides `Error` (their fields come with them). */
    interfaces?: readonly InterfaceParam<Types>[];
    /**
     * For an error that says when to try again: the description of its `retryAfterSeconds`
     * (the class's own field, a whole number of seconds).
     */
    retryAfter?: string;
    fields?: (
      t: PothosSchemaTypes.ObjectFieldBuilder<Types, InstanceType<(typeof ERROR_CLASSES)[N]>>,
    ) => Record<string, unknown>;
  },
): ErrorEntry {
  builder.objectType(ERROR_CLASSES[name] as typeof GatewayError, {
    name,
    description: options.description,
    interfaces: [ErrorInterface, ...(options.interfaces ?? [])],
    // biome-ignore lint/suspicious/noExplicitAny: the field builder of this error's own class
    fields: (t: any) => ({
      ...(options.retryAfter && {
        retryAfterSeconds: t.exposeInt('retryAfterSeconds', { description: options.retryAfter }),
      }),
      ...options.fields?.(t),
    }),
  });
  return { description: options.description, typed: true };
}

/** A registered error that only ever reaches clients as a top-level error: no type, a code. */
export function topLevelError(description: string): ErrorEntry {
  return { description, typed: false };
}
