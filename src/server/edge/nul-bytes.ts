import { BREAK, type DocumentNode, type GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { message } from '../../domain/messages/index.js';
import { refusal } from './refusal.js';

/** PostgreSQL cannot store U+0000 in text, and no phone, code or key contains one. */
const NUL = '\u0000';

export const nulError = (): GraphQLError => refusal(message('BAD_USER_INPUT.nul'), 400);

/**
 * Variables and names with NUL bytes are refused before parsing; string literals by
 * `hasNulLiteral`, which the document limits check first.
 */
export function useNoNulBytes(): Plugin {
  return {
    onParams({ params }) {
      if (containsNul([params.query, params.operationName, params.variables, params.extensions])) {
        throw nulError();
      }
    },
  };
}

function containsNul(value: unknown): boolean {
  // Iterative: a deeply nested variables object must not overflow the stack.
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes(NUL)) return true;
    } else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes(NUL)) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/** Whether a string literal of the document holds a NUL (written as `\u0000` in the query). */
export function hasNulLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(NUL)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
