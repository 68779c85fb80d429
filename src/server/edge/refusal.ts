import { GraphQLError } from 'graphql';

/**
 * A request refused at the edge: one top-level error with a stable `extensions.code` and the
 * HTTP status Yoga answers with (it takes `http` out of the extensions it sends).
 */
export function refusal(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}
