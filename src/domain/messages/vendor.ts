import { say } from './say.js';

/** The vendor's code, when it gave one: ` (mã 1006)` / ` (code 1006)`. */
const vendorCode = (code: string | null, word: string) => (code ? ` (${word} ${code})` : '');

/** The code of a failure on the way (`VENDOR_TIMEOUT`, ...). */
type Failure = { code: string };

/**
 * What the gateway says about a vendor call that did not succeed (`VendorRejected` and
 * `VendorUnavailable`, the `VendorError` pair). The vendor's own code and words are never here:
 * they travel untranslated in `vendorCode` and `vendorMessage`.
 *
 * The gateway's vendors each have theirs, which say what the record now is and what settles it;
 * a vendor feature (docs/adding-a-vendor.md) uses the three that name the vendor.
 */
export const VENDOR_MESSAGES = {
  'VendorError.rejected': say({
    vi: (p: { vendor: string; vendorCode: string | null }) =>
      `${p.vendor} từ chối yêu cầu${vendorCode(p.vendorCode, 'mã')}; chưa có gì được thực hiện.`,
    en: (p) =>
      `${p.vendor} refused the request${vendorCode(p.vendorCode, 'code')}; nothing was done.`,
  }),
  'VendorError.notConfirmed': say({
    vi: (p: { vendor: string; code: string }) =>
      `${p.vendor} không xác nhận kết quả (${p.code}); bản ghi ở trạng thái UNKNOWN: hãy kiểm tra trước khi thử lại.`,
    en: (p) =>
      `${p.vendor} did not confirm the outcome (${p.code}); the record is UNKNOWN: check it before trying again.`,
  }),
  'VendorError.notTaken': say({
    vi: (p: { vendor: string; code: string }) =>
      `${p.vendor} không tiếp nhận được yêu cầu (${p.code}); chưa có gì được thực hiện. Hãy thử lại sau giây lát.`,
    en: (p) =>
      `${p.vendor} could not take the request (${p.code}); nothing was done. Try again shortly.`,
  }),

  'VendorError.dmallRejected': say({
    vi: (p: { vendorCode: string | null }) =>
      `dmall từ chối yêu cầu${vendorCode(p.vendorCode, 'mã')}.`,
    en: (p) => `dmall refused the request${vendorCode(p.vendorCode, 'code')}.`,
  }),
  'VendorError.dmallNotConfirmed': say({
    vi: (p: Failure) =>
      `dmall không xác nhận kết quả (${p.code}). Đơn hàng ở trạng thái UNKNOWN; hãy kiểm tra đơn trước khi thử lại.`,
    en: (p) =>
      `dmall did not confirm the outcome (${p.code}). The order is UNKNOWN; check it before trying again.`,
  }),
  'VendorError.dmallNotTaken': say({
    vi: (p: Failure) =>
      `dmall không tiếp nhận được yêu cầu (${p.code}); chưa có gì được thực hiện. Hãy thử lại sau giây lát.`,
    en: (p) => `dmall could not take the request (${p.code}); nothing was done. Try again shortly.`,
  }),
  'VendorError.dmallReusedOrderCode': say({
    vi: (p: { orderCode: string }) =>
      `dmall trả về mã đơn ${p.orderCode}, mã này đã thuộc về một đơn hàng khác, nên không thể đăng ký đơn này. Hãy yêu cầu mã OTP mới.`,
    en: (p) =>
      `dmall answered with order code ${p.orderCode}, which another order already holds, so this order cannot be registered. Request a new OTP.`,
  }),
  'VendorError.dmallInterruptedOtp': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng khi yêu cầu này đang ở dmall nên chưa rõ kết quả; đơn hàng đang ở trạng thái ${p.status}. Hãy kiểm tra đơn trước khi thử lại.`,
    en: (p) =>
      `The gateway stopped while this request was with dmall, so its outcome is unknown; the order is ${p.status}. Check it before trying again.`,
  }),
  'VendorError.dmallInterruptedRegistration': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng khi yêu cầu này đang ở dmall nên chưa rõ kết quả; đơn hàng đang ở trạng thái ${p.status}. Hãy đăng ký lại với cùng mã đơn (và một khóa mới) để xác định kết quả.`,
    en: (p) =>
      `The gateway stopped while this request was with dmall, so its outcome is unknown; the order is ${p.status}. Register again with the same order code (and a new key) to settle it.`,
  }),
  'VendorError.dmallNotRecorded': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng trước khi ghi nhận câu trả lời cho yêu cầu này; đơn hàng đang ở trạng thái ${p.status} và không có thao tác nào khác được thực hiện.`,
    en: (p) =>
      `The gateway stopped before this request's answer was recorded; the order is ${p.status} and nothing more was done.`,
  }),

  'VendorError.vasRejected': say({
    vi: (p: { errorId: string }) => `SDP từ chối yêu cầu (error_id ${p.errorId}).`,
    en: (p) => `The SDP refused the request (error_id ${p.errorId}).`,
  }),
  'VendorError.vasNotConfirmed': say({
    vi: (p: Failure) =>
      `vascloud không xác nhận kết quả (${p.code}). Giao dịch ở trạng thái UNKNOWN và sẽ được xác định kết quả qua CheckServiceInfo.`,
    en: (p) =>
      `vascloud did not confirm the outcome (${p.code}). The transaction is UNKNOWN and will be settled from CheckServiceInfo.`,
  }),
  'VendorError.vasNotTaken': say({
    vi: (p: Failure) =>
      `vascloud không tiếp nhận được yêu cầu (${p.code}); chưa có gì được thực hiện. Hãy thử lại sau giây lát.`,
    en: (p) =>
      `vascloud could not take the request (${p.code}); nothing was done. Try again shortly.`,
  }),
  'VendorError.vasCheckUnavailable': say({
    vi: (p: Failure) =>
      `vascloud không trả lời được yêu cầu kiểm tra (${p.code}); hãy thử lại sau giây lát.`,
    en: (p) => `vascloud could not answer the check (${p.code}); try again shortly.`,
  }),
  'VendorError.vasSettleUnavailable': say({
    vi: () =>
      'vascloud không trả lời được yêu cầu kiểm tra; giao dịch vẫn ở trạng thái UNKNOWN và gateway sẽ tự kiểm tra lại.',
    en: () =>
      'vascloud could not answer the check; the transaction stays UNKNOWN and the sweeper will try again.',
  }),
  'VendorError.vasInterrupted': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng khi yêu cầu này đang ở vascloud; giao dịch đang ở trạng thái ${p.status} và sẽ được xác định kết quả qua CheckServiceInfo.`,
    en: (p) =>
      `The gateway stopped while this request was with vascloud; the transaction is ${p.status} and will be settled from CheckServiceInfo.`,
  }),
  'VendorError.vasNotRecorded': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng trước khi ghi nhận câu trả lời cho yêu cầu này; giao dịch đang ở trạng thái ${p.status}.`,
    en: (p) =>
      `The gateway stopped before this request's answer was recorded; the transaction is ${p.status}.`,
  }),

  'VendorError.esmsRejected': say({
    vi: (p: { vendorCode: string | null }) =>
      `eSMS từ chối giao dịch mua${vendorCode(p.vendorCode, 'mã')}.`,
    en: (p) => `eSMS refused the purchase${vendorCode(p.vendorCode, 'code')}.`,
  }),
  'VendorError.esmsNotConfirmed': say({
    vi: (p: Failure) =>
      `eSMS không xác nhận giao dịch mua (${p.code}). Giao dịch ở trạng thái UNKNOWN: hãy kiểm tra với eSMS trước khi mua lại.`,
    en: (p) =>
      `eSMS did not confirm the purchase (${p.code}). It is UNKNOWN: check with eSMS before buying again.`,
  }),
  'VendorError.esmsNotTaken': say({
    vi: (p: Failure) =>
      `eSMS không tiếp nhận được giao dịch mua (${p.code}); chưa có gì được mua. Hãy thử lại với một khóa mới.`,
    en: (p) =>
      `eSMS could not take the purchase (${p.code}); nothing was bought. Try again with a new key.`,
  }),
  'VendorError.esmsInterrupted': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng khi giao dịch mua này đang ở eSMS nên chưa rõ kết quả; giao dịch đang ở trạng thái ${p.status}. Hãy kiểm tra với eSMS trước khi mua lại.`,
    en: (p) =>
      `The gateway stopped while this purchase was with eSMS, so its outcome is unknown; it is ${p.status}. Check with eSMS before buying again.`,
  }),
  'VendorError.esmsNotRecorded': say({
    vi: () => 'eSMS không tiếp nhận được giao dịch mua; chưa có gì được mua.',
    en: () => 'eSMS could not take the purchase; nothing was bought.',
  }),

  'VendorError.voiceRejected': say({
    vi: (p: { vendorCode: string | null }) =>
      `Nhà cung cấp OTP thoại từ chối cuộc gọi${vendorCode(p.vendorCode, 'mã')}; không có cuộc gọi nào được thực hiện.`,
    en: (p) =>
      `The voice OTP vendor refused the call${vendorCode(p.vendorCode, 'code')}; no call was placed.`,
  }),
  'VendorError.voiceNotConfirmed': say({
    vi: (p: Failure) =>
      `Nhà cung cấp OTP thoại không xác nhận cuộc gọi (${p.code}); cuộc gọi có thể đã được thực hiện. Cuộc gọi ở trạng thái UNKNOWN và sẽ không được gọi lại.`,
    en: (p) =>
      `The voice OTP vendor did not confirm the call (${p.code}); it may have been placed. The call is UNKNOWN and is not placed again.`,
  }),
  'VendorError.voiceNotTaken': say({
    vi: (p: Failure) =>
      `Nhà cung cấp OTP thoại không tiếp nhận được cuộc gọi (${p.code}); không có cuộc gọi nào được thực hiện. Hãy thử lại sau giây lát.`,
    en: (p) =>
      `The voice OTP vendor could not take the call (${p.code}); nothing was placed. Try again shortly.`,
  }),
  'VendorError.voiceInterrupted': say({
    vi: (p: { status: string }) =>
      `Gateway đã dừng khi đang thực hiện cuộc gọi này nên không rõ cuộc gọi đã được thực hiện hay chưa; cuộc gọi đang ở trạng thái ${p.status}. Cuộc gọi sẽ không được gọi lại.`,
    en: (p) =>
      `The gateway stopped while placing this call, so whether it was placed is unknown; the call is ${p.status}. It is not placed again.`,
  }),
};
