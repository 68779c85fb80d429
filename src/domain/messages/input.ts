import { say } from './say.js';

/** What is wrong with an argument: a phone number, an input field, an id, a page cursor. */
export const INPUT_MESSAGES = {
  'InvalidPhoneNumber.notMobile': say({
    vi: () =>
      'Số điện thoại không hợp lệ: cần số di động Việt Nam dạng 0XXXXXXXXX, 84XXXXXXXXX hoặc +84XXXXXXXXX (10 chữ số khi viết ở dạng trong nước).',
    en: () =>
      'Not a Vietnamese mobile number: expected 0XXXXXXXXX, 84XXXXXXXXX or +84XXXXXXXXX (10 digits in local form).',
  }),

  'InvalidInput.malformed': say({
    vi: (p: { field: string }) => `${p.field} không đúng định dạng.`,
    en: (p) => `${p.field} is malformed.`,
  }),
  'InvalidInput.tooLong': say({
    vi: (p: { field: string; max: number }) => `${p.field} dài quá ${p.max} ký tự.`,
    en: (p) => `${p.field} is longer than ${p.max} characters.`,
  }),
  'InvalidInput.idempotencyKey': say({
    vi: () =>
      'idempotencyKey phải dài 8 đến 128 ký tự, gồm chữ cái, chữ số và ._:- (dùng một UUID là được).',
    en: () =>
      'idempotencyKey must be 8 to 128 characters of letters, digits and ._:- (a UUID works).',
  }),
  'InvalidInput.otp': say({
    vi: () => 'Mã OTP gồm 4 đến 8 chữ số.',
    en: () => 'The OTP is 4 to 8 digits.',
  }),
  'InvalidInput.orderCode': say({
    vi: () => 'orderCode phải là mã đơn hàng nhận được từ requestOtp.',
    en: () => 'orderCode must be the order code from requestOtp.',
  }),
  'InvalidInput.orderCodeArgument': say({
    vi: () => 'Hãy nhập mã đơn hàng vào `code`.',
    en: () => 'Give the order’s code as `code`.',
  }),
  'InvalidInput.voiceCode': say({
    vi: () => 'Mã cần đọc gồm 1 đến 6 chữ số.',
    en: () => 'The code is 1 to 6 digits.',
  }),
  'InvalidInput.verificationCode': say({
    vi: () => 'Mã xác minh là 6 chữ số được đọc trong cuộc gọi.',
    en: () => 'The code is the 6 digits the call read out.',
  }),
  'InvalidInput.channel': say({
    vi: () => 'channel gồm 1 đến 16 chữ cái hoặc chữ số, ví dụ APP, WEB.',
    en: () => 'channel is 1 to 16 letters or digits, e.g. APP, WEB.',
  }),
  'InvalidInput.price': say({
    vi: () => 'price là số tiền VND nguyên, chỉ gồm chữ số.',
    en: () => 'price is a whole number of VND, as digits.',
  }),
  'InvalidInput.vendorId': say({
    vi: (p: { field: string }) =>
      `${p.field} gồm 1 đến 32 ký tự: chữ cái, chữ số hoặc ._- (mã do nhà cung cấp cấp).`,
    en: (p) => `${p.field} is 1 to 32 letters, digits or ._- (the vendor's id).`,
  }),
  'InvalidInput.oaId': say({
    vi: () => 'oaId phải là mã Zalo Official Account (1 đến 64 ký tự: chữ cái, chữ số, _ hoặc -).',
    en: () => 'oaId must be the Zalo Official Account id (1 to 64 letters, digits, _ or -).',
  }),
  'InvalidInput.oneOaId': say({
    vi: () => 'Chỉ nhập một mã OA, qua `oaId` hoặc qua `filter.oaId`.',
    en: () => 'Give one OA id, as `oaId` or as `filter.oaId`.',
  }),
  'InvalidInput.oaTier': say({
    vi: (p: { tiers: readonly string[]; given: string }) =>
      `tier phải là một trong ${p.tiers.join(', ')}; giá trị đã nhập: ${p.given}.`,
    en: (p) => `tier must be one of ${p.tiers.join(', ')}; it was ${p.given}.`,
  }),
  'InvalidInput.activeFromFormat': say({
    vi: () => 'activeFrom phải là một ngày viết theo dạng yyyy-MM-dd.',
    en: () => 'activeFrom must be a date written yyyy-MM-dd.',
  }),
  'InvalidInput.activeFromPast': say({
    vi: (p: { activeFrom: string; today: string }) =>
      `activeFrom ${p.activeFrom} là ngày đã qua (hôm nay ở Việt Nam là ${p.today}).`,
    en: (p) => `activeFrom ${p.activeFrom} is before today in Vietnam (${p.today}).`,
  }),
  'InvalidInput.duration': say({
    vi: (p: { given: number }) => `duration phải là số nguyên dương; giá trị đã nhập: ${p.given}.`,
    en: (p) => `duration must be a positive whole number; it was ${p.given}.`,
  }),
  'InvalidInput.clientName': say({
    vi: () => 'client phải là tên một client (1 đến 64 ký tự gồm chữ cái, chữ số và ._:-).',
    en: () => 'client must be a client name (1 to 64 of letters, digits and ._:-).',
  }),
  'InvalidInput.pageSize': say({
    vi: (p: { field: string; max: number; given: number }) =>
      `${p.field} phải từ 0 đến ${p.max}; giá trị đã nhập: ${p.given}.`,
    en: (p) => `${p.field} must be between 0 and ${p.max}; it was ${p.given}.`,
  }),
  'InvalidInput.firstRange': say({
    vi: (p: { max: number }) => `first phải từ 1 đến ${p.max}.`,
    en: (p) => `first must be 1 to ${p.max}.`,
  }),
  'InvalidInput.eventId': say({
    vi: () => 'Mã sự kiện phải là `eventId` của một sự kiện đã nhận trước đó.',
    en: () => 'An event id is the `eventId` of an earlier payload.',
  }),
  'InvalidInput.notAnId': say({
    vi: () => 'Mã (id) này không phải do API này cấp.',
    en: () => 'This id is not one this API gave out.',
  }),
  'InvalidInput.noGlobalIds': say({
    vi: (p: { typename: string }) =>
      `${p.typename} không phải kiểu dữ liệu có mã toàn cục (global id).`,
    en: (p) => `${p.typename} is not a type with global ids.`,
  }),
  'InvalidInput.notTypeId': say({
    vi: (p: { typename: string }) => `Mã (id) này không phải mã của một ${p.typename}.`,
    en: (p) => `This id is not a ${p.typename} id.`,
  }),
  'InvalidInput.notOAPackageId': say({
    vi: () => 'Mã (id) này không phải mã của một giao dịch mua gói OA.',
    en: () => 'This id is not the id of an OA package purchase.',
  }),

  'InvalidCursor.notOurs': say({
    vi: () => 'Con trỏ phân trang (cursor) này không phải do API này cấp.',
    en: () => 'The pagination cursor is not one this API gave out.',
  }),
};
