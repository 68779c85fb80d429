import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import {
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  TypeInfo,
  type ValidationRule,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';
import { message } from '../../domain/messages/index.js';
import { PAGE_SIZE } from '../../schema/page-size.js';
import { hasNulLiteral, nulError } from './nul-bytes.js';
import { refusal } from './refusal.js';

type Limits = Config['limits'];

/** An error for a refused document: one per request, naming the rule and its variable. */
type Rule = 'MAX_TOKENS' | 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_COST';

function limitError(rule: Rule, limit: number, found?: number) {
  return refusal(message(`${rule}_EXCEEDED.limit`, { limit, found: found ?? null }), 400);
}

/** Tokens, counted by graphql-armor while the document is parsed: the parser stops at the limit. */
export function useMaxTokens(limits: Limits): Plugin {
  return maxTokensPlugin({
    n: limits.maxTokens,
    propagateOnRejection: true,
    onReject: [
      () => {
        throw limitError('MAX_TOKENS', limits.maxTokens);
      },
    ],
  });
}

/**
 * Depth, aliases, directives and cost (graphql-armor's rules), and NUL bytes in string literals,
 * checked before the standard validation: a refused document gets exactly one error and the
 * standard rules (some quadratic in the document) never see it.
 */
export function useDocumentLimits(limits: Limits): Plugin {
  return {
    onValidate({ params, setResult }) {
      let checked = CHECKED.get(params.documentAST);
      if (checked === undefined) {
        checked = inspectDocument(params.schema, params.documentAST, limits);
        CHECKED.set(params.documentAST, checked);
      }
      if (checked.error) setResult([checked.error]);
    },
  };
}

/**
 * Every check depends on the document only, and Yoga's parse cache hands out the same document
 * object for the same query text: each document is checked once. (Yoga's validation cache skips
 * graphql-js's validation on a hit, but still calls every plugin's onValidate.)
 */
const CHECKED = new WeakMap<DocumentNode, { error: GraphQLError | null; cost: number }>();

/** The cost of a document that passed the limits (the per-client cost budgets spend it). */
export function documentCost(document: DocumentNode): number | undefined {
  return CHECKED.get(document)?.cost;
}

export function checkDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: Limits,
): GraphQLError | null {
  return inspectDocument(schema, document, limits).error;
}

/** The document's first limit broken (or null), and its cost (0 when refused before costing). */
function inspectDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: Limits,
): { error: GraphQLError | null; cost: number } {
  if (hasNulLiteral(document)) return { error: nulError(), cost: 0 };

  let refused: GraphQLError | null = null;
  const onReject =
    (rule: Rule, limit: number): GraphQLArmorRejectCallback =>
    (_ctx, err) => {
      refused ??= limitError(rule, limit, foundIn(err.message));
    };
  const shape: ValidationRule[] = [
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [onReject('MAX_ALIASES', limits.maxAliases)],
    }),
    maxDepthRule({
      n: limits.maxDepth,
      propagateOnRejection: false,
      onReject: [onReject('MAX_DEPTH', limits.maxDepth)],
    }),
    maxDirectivesRule({
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [onReject('MAX_DIRECTIVES', limits.maxDirectives)],
    }),
  ];
  validate(schema, document, shape);
  if (refused) return { error: refused, cost: 0 };

  // The rule reports the cost it found only when it refuses: with a limit of 0 it always does,
  // and the limit is applied here, so the same count serves the per-client cost budgets.
  let cost = 0;
  validate(schema, withPageSizes(schema, document), [
    costLimitRule({
      maxCost: 0,
      propagateOnRejection: false,
      onReject: [
        (_ctx, err) => {
          cost = foundIn(err.message) ?? 0;
        },
      ],
    }),
  ]);
  const error = cost > limits.maxCost ? limitError('MAX_COST', limits.maxCost, cost) : null;
  return { error, cost };
}

function foundIn(message: string): number | undefined {
  const found = /found ([\d.]+\d)/.exec(message)?.[1];
  return found === undefined ? undefined : Math.ceil(Number(found));
}

/**
 * graphql-armor's cost rule multiplies a list by its `first`/`last` only when written as a
 * literal; a `$first` variable would cost one item, and a list without `first` returns 20. This
 * copy of the document spells out the page size each paged field may return: the literal, the
 * default page size when absent, and the maximum page size for a variable (whose value the
 * validation, cached per document, does not see).
 */
function withPageSizes(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const sizeOf = (arg: ArgumentNode): number =>
    arg.value.kind === Kind.INT ? Number(arg.value.value) : PAGE_SIZE.maxSize;
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        const paged = typeInfo.getFieldDef()?.args.some((a) => a.name === 'first');
        if (!paged) return undefined;
        const size = node.arguments?.find(
          (a) => a.name.value === 'first' || a.name.value === 'last',
        );
        const value = size ? sizeOf(size) : PAGE_SIZE.defaultSize;
        const others = (node.arguments ?? []).filter((a) => a !== size);
        return {
          ...node,
          arguments: [
            {
              kind: Kind.ARGUMENT,
              name: { kind: Kind.NAME, value: 'first' },
              value: { kind: Kind.INT, value: String(Math.max(1, Math.min(value, 1e6))) },
            },
            ...others,
          ],
        };
      },
    }),
  );
}
