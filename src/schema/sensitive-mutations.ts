import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { TooManySensitiveMutations } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import { topLevelGraphQLError } from './errors.js';
import { sensitiveMutations } from './sensitive.js';

/** At most one mutation that declares itself sensitive (`SENSITIVE`) per document. */
export function oneSensitiveMutationRule(context: ValidationContext): ASTVisitor {
  const sensitive = new Set(sensitiveMutations(context.getSchema()));
  return {
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const def of document.definitions) {
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      }
      const found: string[] = [];
      const visit = (set: SelectionSetNode, seen: Set<string>) => {
        for (const sel of set.selections) {
          if (sel.kind === Kind.FIELD) {
            if (sensitive.has(sel.name.value)) found.push(sel.name.value);
          } else if (sel.kind === Kind.INLINE_FRAGMENT) {
            visit(sel.selectionSet, seen);
          } else if (!seen.has(sel.name.value)) {
            const fragment = fragments.get(sel.name.value);
            if (fragment) visit(fragment.selectionSet, new Set([...seen, sel.name.value]));
          }
        }
      };
      for (const def of document.definitions) {
        if (def.kind === Kind.OPERATION_DEFINITION && def.operation === 'mutation') {
          visit(def.selectionSet, new Set());
        }
      }
      if (found.length > 1) {
        context.reportError(
          topLevelGraphQLError(
            new TooManySensitiveMutations(
              message('TooManySensitiveMutations.atMostOne', { sensitive: [...sensitive], found }),
            ),
          ),
        );
      }
    },
  };
}

export function useOneSensitiveMutation(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(oneSensitiveMutationRule);
    },
  };
}
