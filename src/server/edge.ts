import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { useCsrfPrevention, useVaryOrigin } from './edge/csrf-cors.js';
import { useDocumentLimits, useMaxTokens } from './edge/document-limits.js';
import { useNoIntrospection } from './edge/no-introspection.js';
import { useNoSuggestions } from './edge/no-suggestions.js';
import { useNoNulBytes } from './edge/nul-bytes.js';
import { useRequestBody } from './edge/request-body.js';

/**
 * What reaches the gateway before any resolver runs: which browsers may call, which bodies are
 * read, which documents are executed. Every refusal here is one top-level error with a stable
 * `extensions.code`, and nothing runs after it. One plugin a file in `edge/`; this is their order.
 * Beside them, used by the app directly: `corsOptions` (edge/csrf-cors.ts), `maskErrors`
 * (edge/mask-errors.ts) and `metricsPlugin` (edge/metrics.ts, what metrics may be labelled with).
 */
export function edgePlugins(config: Config): Plugin[] {
  return [
    useCsrfPrevention(),
    useVaryOrigin(),
    useRequestBody(config.limits.maxBodyBytes),
    useNoNulBytes(),
    useMaxTokens(config.limits),
    useDocumentLimits(config.limits),
    ...(config.exposeIntrospection ? [] : [useNoSuggestions(), useNoIntrospection()]),
  ];
}
