import { NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { message } from '../../domain/messages/index.js';
import { localizedError } from '../localized-error.js';

/**
 * The fields that show the schema: GraphQL's introspection, and the federation subgraph's
 * `_service { sdl }` (the whole schema as SDL). Whatever hides or gates introspection hides or
 * gates all three (here in production; the `explore` scope in src/server/auth.ts).
 */
export const SCHEMA_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '_service']);

/** Production: no `__schema`/`__type`, nor `_service` (compose from schema/subgraph.graphql). */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      addValidationRule(NoServiceSdlRule);
    },
  };
}

/** `NoSchemaIntrospectionCustomRule` for the subgraph's `_service`. */
const NoServiceSdlRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '_service') {
      // The gateway's words (graphql-js's own rule above writes its English for `__schema`).
      context.reportError(
        localizedError(message('GRAPHQL_VALIDATION_FAILED.serviceSdl'), { nodes: node }),
      );
    }
  },
});
