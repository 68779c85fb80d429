/** The console's words: Vietnamese by default, English on the switch. */
export type Lang = 'vi' | 'en';

const WORDS = {
  title: ['Đối soát', 'Reconciliation'],
  signInTitle: ['Đăng nhập bằng khóa API', 'Sign in with an API key'],
  signInHelp: [
    'Khóa chỉ được giữ trong tab này (sessionStorage) và mất khi đóng tab. Phạm vi ledger: bản ghi của chính bạn; ledger:all: của mọi khách hàng.',
    'The key is kept in this tab only (sessionStorage) and forgotten when it closes. Scope ledger: your own records; ledger:all: every client’s.',
  ],
  key: ['Khóa API', 'API key'],
  signIn: ['Đăng nhập', 'Sign in'],
  signOut: ['Đăng xuất', 'Sign out'],
  badKey: ['Khóa không hợp lệ hoặc đã bị thu hồi.', 'The key is not valid or was revoked.'],
  keyShape: ['Khóa có dạng tgw_….', 'A key looks like tgw_….'],
  orders: ['Đơn hàng', 'Orders'],
  vas: ['Giao dịch VAS', 'VAS transactions'],
  oa: ['Gói Zalo OA', 'Zalo OA packages'],
  voice: ['Cuộc gọi thoại', 'Voice calls'],
  from: ['Từ ngày', 'From'],
  to: ['Đến ngày', 'To'],
  status: ['Trạng thái', 'Status'],
  telco: ['Nhà mạng', 'Carrier'],
  package: ['Gói cước', 'Package'],
  client: ['Khách hàng', 'Client'],
  phone: ['Số thuê bao', 'Phone'],
  any: ['Tất cả', 'Any'],
  apply: ['Lọc', 'Filter'],
  exportCsv: ['Xuất CSV', 'Export CSV'],
  exportHelp: [
    'Đúng các dòng của bộ lọc, UTF-8 có BOM (mở được bằng Excel).',
    'Exactly the filtered rows, UTF-8 with a BOM (opens in Excel).',
  ],
  totals: ['Tổng hợp', 'Totals'],
  count: ['Số lượng', 'Count'],
  amount: ['Thành tiền (VND)', 'Amount (VND)'],
  all: ['Tổng', 'Total'],
  perDay: ['Số bản ghi theo trạng thái mỗi ngày', 'Records per status per day'],
  noPrices: [
    'Sổ này không ghi giá: chỉ đếm theo trạng thái.',
    'This ledger records no prices: counts per status only.',
  ],
  noRows: ['Không có bản ghi nào khớp bộ lọc.', 'No record matches the filter.'],
  next: ['Trang sau →', 'Next page →'],
  prev: ['← Trang trước', '← Previous page'],
  page: ['Trang', 'Page'],
  of: ['trên', 'of'],
  records: ['bản ghi', 'records'],
  created: ['Tạo lúc', 'Created'],
  action: ['Xử lý', 'Action'],
  inDoubt: ['Cần đối soát', 'In doubt'],
  inDoubtCount: ['dòng cần đối soát trên trang này', 'rows in doubt on this page'],
  evidence: ['Bằng chứng', 'Evidence'],
  events: ['Sự kiện', 'Events'],
  detail: ['Chi tiết', 'Detail'],
  vendorIds: ['Mã định danh', 'Ids'],
  idempotency: ['Khóa idempotency', 'Idempotency keys'],
  idemKey: ['Khóa', 'Key'],
  oaId: ['Mã OA', 'OA id'],
  idempotencyNone: [
    'Không còn khóa nào (đã hết hạn, hoặc bản ghi được tạo trước khi có ghi nhận này).',
    'No key any more (expired, or the record predates this evidence).',
  ],
  operation: ['Thao tác', 'Operation'],
  fingerprintedAt: ['Nhận lần đầu (lưu dấu vân tay)', 'First received (fingerprint stored)'],
  expiresAt: ['Hết hạn', 'Expires'],
  outcome: ['Kết quả', 'Outcome'],
  notifications: [
    'Thông báo SDP cho thuê bao và gói này',
    'SDP notifications for this subscriber and package',
  ],
  noNotifications: ['Chưa nhận thông báo nào.', 'No notification received.'],
  receivedAt: ['Nhận lúc', 'Received'],
  command: ['Tin nhắn', 'Command'],
  result: ['Kết quả', 'Result'],
  recorded: ['đã ghi nhận', 'recorded'],
  replayed: ['gửi lại', 'replayed'],
  times: ['lần, lần cuối', 'times, last'],
  settle: ['Đối soát với SDP', 'Settle with the SDP'],
  settling: ['Đang hỏi…', 'Asking…'],
  askVendor: ['Hỏi lại nhà cung cấp', 'Ask the vendor now'],
  retryRegister: ['Đăng ký lại bằng OTP', 'Register again with the OTP'],
  otp: ['Mã OTP', 'OTP'],
  otpShape: ['OTP gồm 4 đến 8 chữ số.', 'An OTP is 4 to 8 digits.'],
  close: ['Đóng', 'Close'],
  stalePending: [
    'Đang chờ quá lâu: tiến trình có thể đã dừng giữa cuộc gọi. Bộ quét sẽ chuyển sang UNKNOWN; sau đó đối soát.',
    'Pending for too long: the gateway may have stopped mid-call. The sweeper will mark it UNKNOWN; settle it then.',
  ],
  lockedHelp: [
    'Sai OTP quá số lần cho phép. Không bán lại đơn này: yêu cầu OTP mới (requestOtp) cho thuê bao.',
    'Too many wrong OTPs. This order takes no more: request a new OTP (requestOtp) for the subscriber.',
  ],
  unknownOtpHelp: [
    'Yêu cầu OTP không có kết quả: kiểm tra với dmall trước khi bán lại.',
    'The OTP request got no answer: check with dmall before selling again.',
  ],
  registerHelp: [
    'Nhập OTP khách nhận được: đăng ký lại với cùng mã đơn sẽ chốt đơn (chỉ khóa của khách hàng đã bán).',
    'Enter the OTP the subscriber got: registering again with the same order code settles it (only the selling client’s key may).',
  ],
  oaHelp: [
    'eSMS có thể đã mua gói này. Hỏi eSMS theo OA id, gói, ngày và thời hạn; mua lại cùng gói khi eSMS còn xử lý sẽ trả mã 199 (không tạo mới). Không mua gói khác cho OA này trước khi eSMS xác nhận.',
    'eSMS may have bought it. Ask eSMS about the OA id, tier, date and duration; buying the same again while eSMS still processes it answers 199 (nothing new). Buy nothing else for this OA until eSMS confirms.',
  ],
  voiceHelp: [
    'Cuộc gọi UNKNOWN có thể đã bị tính cước và không bao giờ được gọi lại. Đối chiếu với nhà cung cấp theo requestId và thời điểm.',
    'An UNKNOWN call may have been billed and is never placed again. Check it with the vendor by its requestId and time.',
  ],
  error: ['Lỗi', 'Error'],
  forbidden: ['Khóa này không có phạm vi cần thiết.', 'This key lacks the scope this needs.'],
  language: ['English', 'Tiếng Việt'],
} satisfies Record<string, [string, string]>;

export type Word = keyof typeof WORDS;

let current: Lang = 'vi';

export function setLang(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
}

export function lang(): Lang {
  return current;
}

export function t(word: Word): string {
  return WORDS[word][current === 'vi' ? 0 : 1];
}

const STATUS_WORDS: Record<string, [string, string]> = {
  PENDING: ['Đang chờ', 'Pending'],
  OTP_SENT: ['Đã gửi OTP', 'OTP sent'],
  REGISTERING: ['Đang đăng ký', 'Registering'],
  REGISTERED: ['Đã đăng ký', 'Registered'],
  FAILED: ['Thất bại', 'Failed'],
  UNKNOWN: ['Chưa rõ', 'Unknown'],
  LOCKED: ['Bị khóa', 'Locked'],
  EXPIRED: ['Hết hạn', 'Expired'],
  REFUSED: ['Bị từ chối', 'Refused'],
  SUCCEEDED: ['Thành công', 'Succeeded'],
  SUBMITTED: ['Đã gửi', 'Submitted'],
  ACCEPTED: ['Được chấp nhận', 'Accepted'],
  REJECTED: ['Bị từ chối', 'Rejected'],
  ANSWERED: ['Đã nghe máy', 'Answered'],
  RUNNING: ['Đang chạy', 'Running'],
  INTERRUPTED: ['Bị ngắt', 'Interrupted'],
};

/** A status in words (clerks and the API speak of both: the code is in the title). */
export function statusLabel(status: string): string {
  const w = STATUS_WORDS[status];
  return w ? w[current === 'vi' ? 0 : 1] : status;
}

/** VND, grouped as the language writes it. */
export function vnd(amount: number): string {
  return new Intl.NumberFormat(current === 'vi' ? 'vi-VN' : 'en-US').format(amount);
}

/** A time in Vietnam time, as the language writes it. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(iso));
}
