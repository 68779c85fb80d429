import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import { message } from '../../domain/messages/index.js';
import { asDatabaseUnavailable } from '../../store/database.js';
import { localizedError } from '../localized-error.js';

/**
 * Keeps database outages typed: a request that could not get a connection, or lost it, gets
 * DATABASE_UNAVAILABLE (retry later) instead of "Unexpected error.". Everything else goes to
 * `next` (by default masked as Yoga does).
 */
export const maskErrors =
  (next: typeof maskError = maskError): typeof maskError =>
  (error, unexpected, isDev) => {
    const unavailable = asDatabaseUnavailable(
      error instanceof GraphQLError ? (error.originalError ?? error) : error,
    );
    if (unavailable) {
      return localizedError(unavailable.text ?? message('DatabaseUnavailable.busy'), {
        nodes: error instanceof GraphQLError ? error.nodes : undefined,
        path: error instanceof GraphQLError ? error.path : undefined,
        extensions: { code: unavailable.code, http: { status: 503 } },
      });
    }
    return next(error, unexpected, isDev);
  };
