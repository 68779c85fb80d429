import { say, spellWindow } from './say.js';

/** A limit reached: how many in which window, and when to try again. */
type Reached = { max: number; windowMs: number; retryAfterSeconds: number };

const phoneCalled = {
  vi: (p: Reached) =>
    `Số này đã được gọi ${p.max} lần trong ${spellWindow(p.windowMs, 'vi')} qua; không có cuộc gọi nào được thực hiện. Hãy thử lại sau ${p.retryAfterSeconds} giây.`,
  en: (p: Reached) =>
    `This phone was called ${p.max} times in the last ${spellWindow(p.windowMs, 'en')}; no call was placed. Try again in ${p.retryAfterSeconds} s.`,
};
const clientCalled = {
  vi: (p: Reached) =>
    `Client này đã thực hiện ${p.max} cuộc gọi trong ${spellWindow(p.windowMs, 'vi')} qua; không có cuộc gọi nào được thực hiện. Hãy thử lại sau ${p.retryAfterSeconds} giây.`,
  en: (p: Reached) =>
    `This client placed ${p.max} calls in the last ${spellWindow(p.windowMs, 'en')}; no call was placed. Try again in ${p.retryAfterSeconds} s.`,
};

/** Voice OTP calls and phone verification. */
export const VOICE_MESSAGES = {
  'VoiceCallRateLimited.PHONE_PER_10_MINUTES': say(phoneCalled),
  'VoiceCallRateLimited.PHONE_PER_DAY': say(phoneCalled),
  'VoiceCallRateLimited.CLIENT_PER_MINUTE': say(clientCalled),
  'VoiceCallRateLimited.CLIENT_PER_DAY': say(clientCalled),
  'VoiceCallPrefixBlocked.paused': say({
    vi: (p: { prefix: string; retryAfterSeconds: number }) =>
      `Các cuộc gọi tới số bắt đầu bằng ${p.prefix} đang tạm dừng trong ${p.retryAfterSeconds} giây: nhiều cuộc gọi gần đây tới các số này không dẫn tới lượt xác minh thành công nào. Không có cuộc gọi nào được thực hiện.`,
    en: (p) =>
      `Calls to numbers starting ${p.prefix} are paused for ${p.retryAfterSeconds} s: too many recent calls to them led to no approved verification. No call was placed.`,
  }),

  'VerificationNotFound.noVerification': say({
    vi: () => 'Không có lượt xác minh số điện thoại nào có mã này.',
    en: () => 'No phone verification has this id.',
  }),
  'VerificationRateLimited.PHONE_PER_HOUR': say({
    vi: (p: { max: number }) =>
      `Số điện thoại này đã có quá nhiều lượt xác minh trong 1 giờ qua (tối đa ${p.max}).`,
    en: (p) => `Too many verifications for this phone in the last hour (at most ${p.max}).`,
  }),
  'VerificationRateLimited.SENDS_PER_VERIFICATION': say({
    vi: (p: { max: number }) =>
      `Lượt xác minh của số này đã dùng hết ${p.max} cuộc gọi; hãy kiểm tra mã, hoặc bắt đầu lại khi lượt xác minh hết hạn.`,
    en: (p) =>
      `This phone’s verification has had its ${p.max} calls; check the code, or start again once it expires.`,
  }),
  'VerificationNotPending.status': say({
    vi: (p: { status: string }) =>
      `Lượt xác minh này đang ở trạng thái ${p.status} nên không có mã nào được kiểm tra; hãy bắt đầu lượt xác minh mới.`,
    en: (p) => `This verification is ${p.status}, so nothing was checked; start a new one.`,
  }),
};
