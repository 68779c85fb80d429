import { say } from './say.js';

/** A document limit (`GRAPHQL_MAX_*`): what it counts, in each language, and its variable. */
function documentLimit(vi: string, en: string, variable: string) {
  return say({
    vi: (p: { limit: number; found: number | null }) =>
      `Tài liệu GraphQL bị từ chối: vượt quá giới hạn ${vi} là ${p.limit}${p.found === null ? '' : ` (thực tế ${p.found})`} (${variable}).`,
    en: (p) =>
      `Document refused: it exceeds the ${en} limit of ${p.limit}${p.found === null ? '' : ` (found ${p.found})`} (${variable}).`,
  });
}

/**
 * The errors of the protocol the gateway writes itself (`PROTOCOL_ERROR_CODES` in
 * src/server/edge/refusal.ts), keyed by their code: the edge's refusals, keys, budgets, trusted
 * documents, open streams, and the masked unexpected error. graphql-js's own (parse, validation,
 * variables) are its words, not the gateway's: they stay in English.
 */
export const PROTOCOL_MESSAGES = {
  'INTERNAL_SERVER_ERROR.unexpected': say({
    vi: () => 'Đã xảy ra lỗi không mong muốn.',
    en: () => 'Unexpected error.',
  }),
  // graphql-js writes its own introspection refusal (in English); this is the gateway's, for the
  // federation subgraph's `_service`, which graphql-js does not know.
  'GRAPHQL_VALIDATION_FAILED.serviceSdl': say({
    vi: () =>
      'Introspection đã bị tắt, kèm theo trường "_service" (SDL của subgraph): hãy dùng tệp schema/subgraph.graphql.',
    en: () =>
      'Introspection is disabled, and with it the field "_service" (the subgraph SDL): compose from schema/subgraph.graphql.',
  }),
  'MAX_TOKENS_EXCEEDED.limit': documentLimit('số token', 'max tokens', 'GRAPHQL_MAX_TOKENS'),
  'MAX_DEPTH_EXCEEDED.limit': documentLimit('độ sâu', 'max depth', 'GRAPHQL_MAX_DEPTH'),
  'MAX_ALIASES_EXCEEDED.limit': documentLimit('số alias', 'max aliases', 'GRAPHQL_MAX_ALIASES'),
  'MAX_DIRECTIVES_EXCEEDED.limit': documentLimit(
    'số directive',
    'max directives',
    'GRAPHQL_MAX_DIRECTIVES',
  ),
  'MAX_COST_EXCEEDED.limit': documentLimit('chi phí', 'max cost', 'GRAPHQL_MAX_COST'),
  'REQUEST_TOO_LARGE.body': say({
    vi: (p: { maxBytes: number }) =>
      `Nội dung yêu cầu lớn hơn ${p.maxBytes} byte (MAX_REQUEST_BODY_BYTES).`,
    en: (p) => `Request body larger than ${p.maxBytes} bytes (MAX_REQUEST_BODY_BYTES).`,
  }),
  'UNSUPPORTED_MEDIA_TYPE.notJson': say({
    vi: () => 'Nội dung POST phải là JSON (content-type: application/json).',
    en: () => 'POST bodies must be JSON (content-type: application/json).',
  }),
  'BAD_REQUEST.invalidJson': say({
    vi: () => 'Nội dung POST không phải JSON hợp lệ.',
    en: () => 'POST body is not valid JSON.',
  }),
  'BAD_REQUEST.notObject': say({
    vi: () => 'Nội dung POST phải là một đối tượng JSON.',
    en: () => 'POST body must be a JSON object.',
  }),
  'BAD_USER_INPUT.nul': say({
    vi: () => 'Dữ liệu văn bản không được chứa ký tự NUL (U+0000).',
    en: () => 'Text inputs must not contain NUL characters (U+0000).',
  }),
  'UNAUTHENTICATED.keyRequired': say({
    vi: () => 'Cần một API key hợp lệ: hãy gửi Authorization: Bearer <key>.',
    en: () => 'A valid API key is required: send Authorization: Bearer <key>.',
  }),
  'RATE_LIMITED.budget': say({
    vi: (p: { retryAfterSeconds: number }) =>
      `Client này đã dùng hết hạn mức của phút này; hãy thử lại sau ${p.retryAfterSeconds} giây.`,
    en: (p) => `This client is over its budget for this minute; retry in ${p.retryAfterSeconds} s.`,
  }),
  'PERSISTED_QUERY_ONLY.published': say({
    vi: () =>
      'Ở đây chỉ chạy các thao tác đã công bố: hãy gửi extensions.persistedQuery.sha256Hash của một thao tác trong manifest.',
    en: () =>
      'Only published operations run here: send extensions.persistedQuery.sha256Hash of an operation from the manifest.',
  }),
  'PERSISTED_QUERY_NOT_FOUND.unknownHash': say({
    vi: () => 'Không có thao tác đã công bố nào có mã hash này.',
    en: () => 'No published operation has this hash.',
  }),
  'PERSISTED_QUERY_ID_REQUIRED.noQuery': say({
    vi: () =>
      'Hãy gửi một query, hoặc extensions.persistedQuery.sha256Hash của một thao tác đã công bố.',
    en: () => 'Send a query, or extensions.persistedQuery.sha256Hash of a published operation.',
  }),
  'TOO_MANY_SUBSCRIPTIONS.limit': say({
    vi: (p: { limit: number }) =>
      `Client này đang giữ ${p.limit} subscription đang mở (CLIENT_MAX_SUBSCRIPTIONS); hãy đóng bớt một subscription trước khi mở thêm.`,
    en: (p) =>
      `This client already holds ${p.limit} open subscriptions (CLIENT_MAX_SUBSCRIPTIONS); end one before opening another.`,
  }),
};
