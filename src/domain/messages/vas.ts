import { say } from './say.js';

type Action = 'REGISTER' | 'CANCEL';
const ACTION = {
  vi: { REGISTER: 'đăng ký', CANCEL: 'hủy' },
  en: { REGISTER: 'register', CANCEL: 'cancel' },
} as const;

/** VAS packages on VinaPhone's SDP: a change in doubt, a transaction not found. */
export const VAS_MESSAGES = {
  'VasTransactionInDoubt.open': say({
    vi: (p: { action: Action; status: string; transactionId: string }) =>
      `Một yêu cầu ${ACTION.vi[p.action]} gói này cho số này đang ở trạng thái ${p.status} (giao dịch ${p.transactionId}): SDP có thể đã thực hiện. Hãy xác định kết quả (settleVasTransaction) trước khi thử lại.`,
    en: (p) =>
      `A ${ACTION.en[p.action]} of this package for this phone is ${p.status} (transaction ${p.transactionId}): the SDP may have acted on it. Settle it (settleVasTransaction) before trying again.`,
  }),
  'VasTransactionInDoubtElsewhere.open': say({
    vi: (p: { action: Action; status: string }) =>
      `Một yêu cầu ${ACTION.vi[p.action]} gói này cho số này do client khác thực hiện đang ở trạng thái ${p.status}: SDP có thể đã thực hiện. Hãy thử lại khi giao dịch đó đã có kết quả (gateway tự kiểm tra với SDP).`,
    en: (p) =>
      `A ${ACTION.en[p.action]} of this package for this phone, made by another client, is ${p.status}: the SDP may have acted on it. Try again once it is settled (the gateway checks it with the SDP on its own).`,
  }),
  'VasTransactionNotFound.noTransaction': say({
    vi: () => 'Không có giao dịch VAS nào có mã này.',
    en: () => 'No VAS transaction has this id.',
  }),
};
