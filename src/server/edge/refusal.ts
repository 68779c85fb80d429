import type { GraphQLError } from 'graphql';
import { groupOf, type Message, type MessageGroup } from '../../domain/messages/index.js';
import { localizedError } from '../localized-error.js';

/**
 * The codes of the errors of the protocol itself, before or outside resolvers: those Yoga and
 * graphql-js give, and those the edge and the server around the app give (raised through
 * `refusal` below with one of these names, never a string typed again). The schema's `ErrorCode`
 * enum takes them from here with their descriptions.
 */
export const PROTOCOL_ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The document does not validate against the schema.',
  BAD_USER_INPUT: 'A variable is missing or has the wrong type.',
  INTERNAL_SERVER_ERROR:
    'An unexpected failure. Its message is always "Unexpected error." (in Vietnamese "Đã xảy ra lỗi không mong muốn."); the details are in the gateway’s log.',
  // The edge (src/server/edge.ts): refused before anything runs.
  MAX_TOKENS_EXCEEDED:
    'The document has more tokens than `GRAPHQL_MAX_TOKENS` allows; nothing ran.',
  MAX_DEPTH_EXCEEDED: 'The document nests deeper than `GRAPHQL_MAX_DEPTH` allows; nothing ran.',
  MAX_ALIASES_EXCEEDED:
    'The document has more aliases than `GRAPHQL_MAX_ALIASES` allows; nothing ran.',
  MAX_DIRECTIVES_EXCEEDED:
    'The document has more directives than `GRAPHQL_MAX_DIRECTIVES` allows; nothing ran.',
  MAX_COST_EXCEEDED:
    'The document could return more than `GRAPHQL_MAX_COST` allows (lists count by their page size); nothing ran.',
  REQUEST_TOO_LARGE: 'The request body is larger than `MAX_REQUEST_BODY_BYTES`. HTTP 413.',
  UNSUPPORTED_MEDIA_TYPE: 'A POST body that is not JSON. HTTP 415.',
  BAD_REQUEST: 'The request body is not a JSON object. HTTP 400.',
  // Clients (src/server/auth.ts, src/server/trusted-documents.ts).
  UNAUTHENTICATED:
    'No valid API key (missing, malformed, unknown, revoked, or its client disabled). HTTP 401.',
  RATE_LIMITED:
    'This client is over its requests or cost budget for the minute; `extensions.retryAfterSeconds` says when to retry. HTTP 429.',
  PERSISTED_QUERY_ONLY:
    'Trusted documents are on and this client may only run published operations, by hash. HTTP 403.',
  PERSISTED_QUERY_NOT_FOUND: 'No published operation has this hash.',
  PERSISTED_QUERY_ID_REQUIRED: 'Neither a query nor the hash of a published operation was sent.',
  // Open streams (src/server/stream-guard.ts).
  TOO_MANY_SUBSCRIPTIONS:
    'This client already holds `CLIENT_MAX_SUBSCRIPTIONS` open subscriptions (SSE and WebSocket, across instances); `extensions.limit` says how many. HTTP 429.',
};

export type ProtocolCode = keyof typeof PROTOCOL_ERROR_CODES;

/**
 * The protocol codes the gateway writes messages for: all but graphql-js's own (parse,
 * validation, variables), whose words are graphql-js's.
 */
export type GatewayProtocolCode = Extract<ProtocolCode, MessageGroup>;

/**
 * A request refused at the edge: one top-level error with a stable `extensions.code` and the
 * HTTP status Yoga answers with (it takes `http` out of the extensions it sends). Its words are
 * a message of the catalogue whose group is the code (`UNAUTHENTICATED.keyRequired`), written
 * in the request's language when the response is.
 */
export function refusal(
  text: Message<GatewayProtocolCode>,
  http: number | { status: number; headers: Record<string, string> },
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return localizedError(text, {
    extensions: {
      code: groupOf(text),
      ...extensions,
      http: typeof http === 'number' ? { status: http } : http,
    },
  });
}
