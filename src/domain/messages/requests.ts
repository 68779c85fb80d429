import { say } from './say.js';

/** What any request can be refused for: its key, its document, its scopes, the database. */
export const REQUEST_MESSAGES = {
  'IdempotencyKeyReused.differentRequest': say({
    vi: () =>
      'Khóa idempotency này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới cho yêu cầu mới.',
    en: () =>
      'This idempotency key was used for a different request; use a new key for a new request.',
  }),
  'RequestInProgress.running': say({
    vi: (p: { retryAfterSeconds: number }) =>
      `Một yêu cầu với khóa idempotency này vẫn đang chạy; hãy thử lại với cùng khóa sau ${p.retryAfterSeconds} giây để nhận kết quả.`,
    en: (p) =>
      `A request with this idempotency key is still running; retry with the same key in ${p.retryAfterSeconds} s for its result.`,
  }),
  'RequestInProgress.refusedMeanwhile': say({
    vi: () =>
      'Yêu cầu đầu tiên với khóa idempotency này vừa bị từ chối; hãy thử lại với cùng khóa.',
    en: () =>
      'The first request with this idempotency key was refused meanwhile; retry with the same key.',
  }),
  'TooManySensitiveMutations.atMostOne': say({
    vi: (p: { sensitive: readonly string[]; found: readonly string[] }) =>
      `Mỗi tài liệu GraphQL chỉ được chứa tối đa một trong các trường ${p.sensitive.join(', ')}; tài liệu này có ${p.found.length} (${p.found.join(', ')}). Hãy gửi chúng thành các yêu cầu riêng.`,
    en: (p) =>
      `A document may contain at most one of ${p.sensitive.join(', ')}; this one has ${p.found.length} (${p.found.join(', ')}). Send them as separate requests.`,
  }),
  'Forbidden.field': say({
    vi: (p: { field: string }) => `API key này không được phép dùng ${p.field}.`,
    en: (p) => `This API key may not use ${p.field}.`,
  }),
  'Forbidden.introspection': say({
    vi: () => 'API key này không được phép xem cấu trúc schema (cần scope explore).',
    en: () => 'This API key may not introspect the schema (scope explore).',
  }),
  'DatabaseUnavailable.busy': say({
    vi: () => 'Cơ sở dữ liệu đang bận hoặc không kết nối được; hãy thử lại sau giây lát.',
    en: () => 'The database is busy or unreachable; try again shortly.',
  }),
};
