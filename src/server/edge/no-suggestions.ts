import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Production: no "Did you mean ...?" in any error (validation, enum values, input fields of
 * variables): they spell out the schema that introspection no longer gives.
 */
export function useNoSuggestions(): Plugin {
  const strip = (result: { errors?: readonly GraphQLError[] }) => {
    for (const error of result.errors ?? []) {
      if (error.message.includes('Did you mean')) {
        error.message = error.message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
      }
    }
  };
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result)) result.forEach(strip);
      else if (!(Symbol.asyncIterator in result)) strip(result);
    },
  };
}
