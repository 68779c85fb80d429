import { readdirSync, readFileSync } from 'node:fs';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import {
  type ArgumentNode,
  BREAK,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  TypeInfo,
  type ValidationRule,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { type CORSOptions, type GraphQLParams, maskError, type Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { PAGE_SIZE } from '../schema/order.js';
import { asDatabaseUnavailable } from '../store/database.js';

/**
 * What reaches the gateway before any resolver runs: which browsers may call, which bodies are
 * read, which documents are executed, and what the metrics may be labelled with. Every refusal
 * here is one top-level error with a stable `extensions.code`, and nothing runs after it.
 */

/** Headers a browser cannot send cross-origin without a CORS preflight (CSRF prevention). */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'x-client-id'];
const JSON_TYPES = ['application/json', 'application/graphql+json'];
const CORS_MAX_AGE_SECONDS = 600;

export function edgePlugins(config: Config): Plugin[] {
  return [
    // A POST a plain HTML form can send (form-encoded, multipart, text/plain) or a GET must
    // carry one of these headers; GraphiQL sends `x-client-id` on every request, subscriptions
    // (GET with text/event-stream) included.
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    useVaryOrigin(),
    useRequestBody(config.limits.maxBodyBytes),
    useNoNulBytes(),
    maxTokensPlugin({
      n: config.limits.maxTokens,
      propagateOnRejection: true,
      onReject: [
        () => {
          throw limitError('MAX_TOKENS', 'GRAPHQL_MAX_TOKENS', config.limits.maxTokens);
        },
      ],
    }),
    useDocumentLimits(config.limits),
    ...(config.exposeIntrospection ? [] : [useNoSuggestions(), useNoIntrospection()]),
  ];
}

/**
 * Yoga's `cors` option from `CORS_ORIGINS`. No credentials: the API reads no cookies, and a
 * browser front end sends its API key as `Authorization: Bearer`, which needs the preflight to
 * allow that header. Browsers keep a preflight for `maxAge` seconds (Chromium caps it at 7200).
 */
export function corsOptions(config: Config): (request: Request) => CORSOptions {
  const base = {
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', ...CSRF_HEADERS],
    maxAge: CORS_MAX_AGE_SECONDS,
  };
  if (config.corsOrigins === '*') return () => ({ ...base, origin: '*' });
  const allowed = new Set(config.corsOrigins);
  // Yoga would answer an unlisted origin with `access-control-allow-origin: null`, which the
  // `null` origin of a sandboxed iframe matches: an unlisted origin gets no CORS headers at all.
  return (request) => {
    const origin = request.headers.get('origin');
    return origin && allowed.has(origin) ? { ...base, origin: [origin] } : false;
  };
}

/**
 * Every answer depends on the request's `Origin` (CORS headers for a listed one, none for another),
 * so a shared cache must key it by origin. Yoga's CORS adds `Vary: Origin` only when it echoes one
 * origin out of several, not for a list of one nor for an origin it refuses.
 */
function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(vary))
        response.headers.set('vary', `${vary}, Origin`);
    },
  };
}

/**
 * Keeps database outages typed: a request that could not get a connection, or lost it, gets
 * DATABASE_UNAVAILABLE (retry later) instead of "Unexpected error.". Everything else goes to
 * `next` (by default masked as Yoga does).
 */
export const maskErrors =
  (next: typeof maskError = maskError): typeof maskError =>
  (error, message, isDev) => {
    const unavailable = asDatabaseUnavailable(
      error instanceof GraphQLError ? (error.originalError ?? error) : error,
    );
    if (unavailable) {
      return new GraphQLError(unavailable.message, {
        nodes: error instanceof GraphQLError ? error.nodes : undefined,
        path: error instanceof GraphQLError ? error.path : undefined,
        extensions: { code: unavailable.code, http: { status: 503 } },
      });
    }
    return next(error, message, isDev);
  };

/**
 * The Prometheus plugin, with `operationName` bounded to the operations of `operations/` (and
 * `other`), and no label taken from a caller-chosen string: without this, every distinct name a
 * caller sends is a new time series, kept forever.
 */
export function metricsPlugin(registry: Registry, known = knownOperationNames()): Plugin {
  const plugin = usePrometheus({
    endpoint: '/metrics',
    registry,
    // `url` has the query string; `path` has the caller's aliases.
    labels: { url: false, path: false },
    // What operators read: requests, their duration and errors per operation, and HTTP
    // durations. The rest costs on every request (the deprecated-field counter walks each
    // document with a TypeInfo; a summary computes quantiles) and is off. Nothing per resolver.
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(plugin);
    },
    // The plugin creates most of its metrics while plugins initialise: bound them after that.
    onYogaInit() {
      boundLabel(registry, 'operationName', (name) => (known.has(String(name)) ? name : 'other'));
    },
  };
}

/** The operation names in `operations/*.graphql`, read once at start. */
export function knownOperationNames(
  dir = new URL('../../operations/', import.meta.url),
): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
    for (const def of parse(readFileSync(new URL(file, dir), 'utf8')).definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION && def.name) names.add(def.name.value);
    }
  }
  return names;
}

type Labels = Record<string, string | number>;

/**
 * Rewrites one label on every metric of the registry that has it. The plugin fills labels in
 * a dozen places from the request; the registry's metrics are the one place they all pass.
 */
function boundLabel(
  registry: Registry,
  label: string,
  bound: (value: string | number) => string | number,
): void {
  const fix = (labels: unknown) =>
    labels && typeof labels === 'object' && label in labels
      ? { ...(labels as Labels), [label]: bound((labels as Labels)[label]!) }
      : labels;
  for (const metric of registry.getMetricsAsArray()) {
    const m = metric as unknown as Record<string, unknown> & { labelNames?: string[] };
    if (!m.labelNames?.includes(label)) continue;
    for (const method of ['observe', 'inc', 'labels', 'startTimer', 'set', 'dec']) {
      const original = m[method];
      if (typeof original !== 'function') continue;
      m[method] = (first: unknown, ...rest: unknown[]) =>
        original.call(metric, fix(first), ...rest);
    }
  }
}

/** An error for a refused document: one per request, naming the rule and its variable. */
function limitError(rule: string, variable: string, limit: number, found?: number) {
  const detail = found === undefined ? '' : ` (found ${found})`;
  return new GraphQLError(
    `Document refused: it exceeds the ${rule.toLowerCase().replace('_', ' ')} limit of ${limit}${detail} (${variable}).`,
    { extensions: { code: `${rule}_EXCEEDED`, http: { status: 400 } } },
  );
}

/**
 * POST bodies: JSON only (form-encoded, multipart and text/plain are what another site's form
 * can send), read as a stream and abandoned past `maxBytes` (413) instead of read whole, and
 * parsed with a fixed error message (the parser's own quotes the body back).
 */
function useRequestBody(maxBytes: number): Plugin {
  const tooLarge = () =>
    new GraphQLError(`Request body larger than ${maxBytes} bytes (MAX_REQUEST_BODY_BYTES).`, {
      extensions: { code: 'REQUEST_TOO_LARGE', http: { status: 413 } },
    });
  const badRequest = (message: string) =>
    new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > maxBytes) throw tooLarge();
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!JSON_TYPES.includes(type)) {
        throw new GraphQLError('POST bodies must be JSON (content-type: application/json).', {
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: 415 } },
        });
      }
      setRequestParser(async (req) => {
        // With a declared length (at most the cap, checked above) Node's HTTP parser delivers
        // exactly that many bytes, so the body is read whole the fast way; a chunked body, of
        // unknown length, is read as a stream and abandoned at the cap.
        const text = declared > 0 ? await req.text() : await readLimited(req, maxBytes, tooLarge);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw badRequest('POST body is not valid JSON.');
        }
        if (body === null || typeof body !== 'object') {
          throw badRequest('POST body must be a JSON object.');
        }
        return body as GraphQLParams;
      });
    },
  };
}

async function readLimited(request: Request, maxBytes: number, tooLarge: () => Error) {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** PostgreSQL cannot store U+0000 in text, and no phone, code or key contains one. */
const NUL = '\u0000';
const nulError = () =>
  new GraphQLError('Text inputs must not contain NUL characters (U+0000).', {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });

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

/** Variables and names with NUL bytes are refused before parsing; literals in `useDocumentLimits`. */
function useNoNulBytes(): Plugin {
  return {
    onParams({ params }) {
      if (containsNul([params.query, params.operationName, params.variables, params.extensions])) {
        throw nulError();
      }
    },
  };
}

/**
 * Depth, aliases, directives and cost (graphql-armor's rules), and NUL bytes in string literals,
 * checked before the standard validation: a refused document gets exactly one error and the
 * standard rules (some quadratic in the document) never see it.
 */
function useDocumentLimits(limits: Config['limits']): Plugin {
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
  limits: Config['limits'],
): GraphQLError | null {
  return inspectDocument(schema, document, limits).error;
}

/** The document's first limit broken (or null), and its cost (0 when refused before costing). */
function inspectDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: Config['limits'],
): { error: GraphQLError | null; cost: number } {
  let hasNul = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(NUL)) {
        hasNul = true;
        return BREAK;
      }
      return undefined;
    },
  });
  if (hasNul) return { error: nulError(), cost: 0 };

  let refused: GraphQLError | null = null;
  const onReject =
    (rule: string, variable: string, limit: number): GraphQLArmorRejectCallback =>
    (_ctx, err) => {
      refused ??= limitError(rule, variable, limit, foundIn(err.message));
    };
  const shape: ValidationRule[] = [
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [onReject('MAX_ALIASES', 'GRAPHQL_MAX_ALIASES', limits.maxAliases)],
    }),
    maxDepthRule({
      n: limits.maxDepth,
      propagateOnRejection: false,
      onReject: [onReject('MAX_DEPTH', 'GRAPHQL_MAX_DEPTH', limits.maxDepth)],
    }),
    maxDirectivesRule({
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [onReject('MAX_DIRECTIVES', 'GRAPHQL_MAX_DIRECTIVES', limits.maxDirectives)],
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
  const error =
    cost > limits.maxCost ? limitError('MAX_COST', 'GRAPHQL_MAX_COST', limits.maxCost, cost) : null;
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

/**
 * Production: no "Did you mean ...?" in any error (validation, enum values, input fields of
 * variables): they spell out the schema that introspection no longer gives.
 */
function useNoSuggestions(): Plugin {
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

/** Production: no `__schema`/`__type`. */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
