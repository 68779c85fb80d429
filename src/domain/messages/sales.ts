import { say, spellWindow } from './say.js';

/** A limit reached: how many in which window, and when to try again. */
type Reached = { max: number; windowMs: number; retryAfterSeconds: number };

/** Selling a package: dmall's OTP sales, and OA package purchases through eSMS. */
export const SALES_MESSAGES = {
  'PackageNotAvailable.notForSale': say({
    vi: (p: { packageCode: string }) => `Không có gói cước ${p.packageCode} nào đang được bán.`,
    en: (p) => `No package ${p.packageCode} is for sale.`,
  }),
  'PackageNotAvailable.otherCarrier': say({
    vi: (p: { packageCode: string; packageTelco: string; phone: string; telco: string }) =>
      `${p.packageCode} là gói cước của ${p.packageTelco}; số ${p.phone} thuộc mạng ${p.telco}.`,
    en: (p) => `${p.packageCode} is a ${p.packageTelco} package; ${p.phone} is on ${p.telco}.`,
  }),
  'PackageNotAvailable.notForSubscriber': say({
    vi: (p: { packageCode: string }) => `Gói ${p.packageCode} không dành cho thuê bao này.`,
    en: (p) => `${p.packageCode} is not available for this subscriber.`,
  }),

  'OtpRateLimited.CLIENT_PER_MINUTE': say({
    vi: (p: Reached) =>
      `Client này đã yêu cầu ${p.max} mã OTP trong ${spellWindow(p.windowMs, 'vi')} qua; hãy thử lại sau ${p.retryAfterSeconds} giây.`,
    en: (p) =>
      `This client asked for ${p.max} OTPs in the last ${spellWindow(p.windowMs, 'en')}; try again in ${p.retryAfterSeconds} s.`,
  }),
  'OtpRateLimited.PHONE_PER_10_MINUTES': say({
    vi: (p: Reached) =>
      `Số điện thoại này đã nhận ${p.max} mã OTP trong ${spellWindow(p.windowMs, 'vi')} qua; hãy thử lại sau ${p.retryAfterSeconds} giây.`,
    en: (p) =>
      `This phone was sent ${p.max} OTPs in the last ${spellWindow(p.windowMs, 'en')}; try again in ${p.retryAfterSeconds} s.`,
  }),
  'OtpRateLimited.PHONE_PER_HOUR': say({
    vi: (p: Reached) =>
      `Số điện thoại này đã nhận ${p.max} mã OTP trong ${spellWindow(p.windowMs, 'vi')} qua; hãy thử lại sau ${p.retryAfterSeconds} giây.`,
    en: (p) =>
      `This phone was sent ${p.max} OTPs in the last ${spellWindow(p.windowMs, 'en')}; try again in ${p.retryAfterSeconds} s.`,
  }),

  'OtpAlreadySent.open': say({
    vi: (p: { packageCode: string; orderCode: string }) =>
      `Mã OTP cho gói ${p.packageCode} đã được gửi tới số này (đơn ${p.orderCode}); hãy đăng ký bằng mã đó hoặc chờ mã hết hạn.`,
    en: (p) =>
      `An OTP for ${p.packageCode} was already sent to this phone (order ${p.orderCode}); register with it or wait until it expires.`,
  }),
  'OtpAlreadySent.unsettled': say({
    vi: (p: { packageCode: string; orderCode: string }) =>
      `Một lần đăng ký gói ${p.packageCode} cho số này chưa rõ kết quả (đơn ${p.orderCode}): hãy xác định kết quả bằng registerWithOtp trước khi bán lại gói này.`,
    en: (p) =>
      `A registration of ${p.packageCode} for this phone has an unknown outcome (order ${p.orderCode}): settle it with registerWithOtp before selling it again.`,
  }),
  'OtpAlreadySentElsewhere.open': say({
    vi: (p: { packageCode: string }) =>
      `Một client khác đã gửi mã OTP cho gói ${p.packageCode} tới số này; hãy yêu cầu lại khi mã đó hết hạn.`,
    en: (p) =>
      `An OTP for ${p.packageCode} was already sent to this phone by another client; ask again once it expires.`,
  }),
  'OtpAlreadySentElsewhere.unsettled': say({
    vi: (p: { packageCode: string }) =>
      `Một lần đăng ký gói ${p.packageCode} cho số này do client khác thực hiện chưa rõ kết quả: chưa thể bán lại gói này cho đến khi client đó xác định kết quả.`,
    en: (p) =>
      `A registration of ${p.packageCode} for this phone, made by another client, has an unknown outcome: it cannot be sold again until that client settles it.`,
  }),

  'OrderNotFound.noOrder': say({
    vi: (p: { orderCode: string }) => `Không có đơn hàng ${p.orderCode}.`,
    en: (p) => `No order ${p.orderCode}.`,
  }),
  'OtpIncorrect.attemptsLeft': say({
    vi: (p: { attemptsLeft: number }) => `Mã OTP không đúng. Còn ${p.attemptsLeft} lần thử.`,
    en: (p) => `Wrong OTP. ${p.attemptsLeft} attempts left.`,
  }),
  'OtpIncorrect.lastAttempt': say({
    vi: () => 'Mã OTP không đúng. Đó là lần thử cuối cùng: đơn hàng đã bị khóa.',
    en: () => 'Wrong OTP. That was the last attempt: the order is locked.',
  }),
  'OrderLocked.locked': say({
    vi: () => 'Nhập sai mã OTP quá nhiều lần: đơn hàng đã bị khóa. Hãy yêu cầu mã OTP mới.',
    en: () => 'Too many wrong OTPs: this order is locked. Request a new OTP.',
  }),
  'OtpExpired.expired': say({
    vi: () => 'Mã OTP đã hết hạn; hãy yêu cầu mã mới.',
    en: () => 'The OTP has expired; request a new one.',
  }),
  'OrderNotOpen.noOtp': say({
    vi: (p: { status: string }) =>
      `Đơn hàng này không có mã OTP: yêu cầu OTP của đơn đang ở trạng thái ${p.status}.`,
    en: (p) => `This order has no OTP: its OTP request is ${p.status}.`,
  }),
  'OrderNotOpen.registered': say({
    vi: () => 'Đơn hàng này đã được đăng ký.',
    en: () => 'This order is already registered.',
  }),
  'OrderNotOpen.registering': say({
    vi: () => 'Đơn hàng này đang được đăng ký; hãy chờ kết quả.',
    en: () => 'A registration of this order is in progress; wait for its result.',
  }),
  'OrderNotOpen.anotherRegistering': say({
    vi: () => 'Một lần đăng ký khác của đơn hàng này đang được xử lý; hãy chờ kết quả.',
    en: () => 'Another registration of this order is in progress; wait for its result.',
  }),
  'OrderNotOpen.status': say({
    vi: (p: { status: string }) => `Đơn hàng đang ở trạng thái ${p.status} nên không nhận mã OTP.`,
    en: (p) => `This order is ${p.status} and takes no OTP.`,
  }),

  'OAPurchaseRateLimited.perHour': say({
    vi: (p: { max: number; retryAfterSeconds: number }) =>
      `Client này đã mua ${p.max} gói OA trong 1 giờ qua; hãy thử lại sau ${p.retryAfterSeconds} giây.`,
    en: (p) =>
      `This client made ${p.max} OA package purchases in the last hour; try again in ${p.retryAfterSeconds} s.`,
  }),
};
