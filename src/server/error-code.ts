import { GraphQLError } from 'graphql';
import { GatewayError } from '../domain/errors.js';

/** The registered error a (located) GraphQL error wraps, if any. */
export function gatewayErrorOf(value: unknown): GatewayError | undefined {
  let current = value;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current instanceof GatewayError ? current : undefined;
}

/**
 * An error's code, before or after masking: execution results hold the resolvers' errors as
 * thrown (the code is on the registered error they wrap); masked ones carry `extensions.code`.
 */
export function errorCodeOf(error: GraphQLError): string | undefined {
  const code = error.extensions?.code ?? gatewayErrorOf(error)?.code;
  return typeof code === 'string' ? code : undefined;
}
