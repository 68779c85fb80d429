import { describe, expect, it } from 'vitest';
import {
  deserializeError,
  ERROR_CLASSES,
  OtpIncorrect,
  serializeError,
  VendorRejected,
  VendorUnavailable,
} from '../../src/domain/errors.js';

describe('stored error results', () => {
  it('round-trip through JSON with class, message and fields intact', () => {
    for (const original of [
      new OtpIncorrect('Wrong OTP. 3 attempts left.', 3, '1006', 'Mã OTP không chính xác', 'o1'),
      new VendorUnavailable('dmall did not confirm', 'dmall', 'VENDOR_TIMEOUT', true, {
        kind: 'Order',
        key: 'o2',
      }),
      new VendorRejected('Refused', 'vascloud', '1', 'Thue bao khong ton tai', {
        kind: 'VasTransaction',
        key: 't1',
      }),
    ]) {
      const back = deserializeError(JSON.parse(JSON.stringify(serializeError(original))));
      expect(back).toBeInstanceOf(original.constructor);
      expect(back.message).toBe(original.message);
      expect({ ...back }).toEqual({ ...original });
    }
  });

  it('replays a result stored before 0.2 as the vendor pair, with the same code', () => {
    const stored = (name: string, fields: Record<string, unknown>) =>
      deserializeError({ name, fields: { name, message: 'm', ...fields } });
    expect(
      stored('VasRejected', {
        code: 'VAS_REJECTED',
        errorId: '1',
        errorDesc: 'Thue bao',
        transactionId: 't1',
      }),
    ).toMatchObject({
      name: 'VendorRejected',
      code: 'VAS_REJECTED',
      vendor: 'vascloud',
      reason: 'VENDOR_REJECTED',
      outcomeUnknown: false,
      vendorCode: '1',
      vendorMessage: 'Thue bao',
      record: { kind: 'VasTransaction', key: 't1' },
      message: 'm',
    });
    expect(
      stored('OAPackageVendorUnavailable', {
        code: 'OA_PACKAGE_VENDOR_UNAVAILABLE',
        reason: 'VENDOR_TIMEOUT',
        outcomeUnknown: true,
        oaPackageId: 'p1',
      }),
    ).toMatchObject({
      name: 'VendorUnavailable',
      code: 'OA_PACKAGE_VENDOR_UNAVAILABLE',
      vendor: 'esms',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      vendorCode: null,
      record: { kind: 'OAPackage', key: 'p1' },
    });
    expect(
      stored('VoiceCallRejected', {
        code: 'VOICE_CALL_REJECTED',
        vendorCode: '5',
        vendorMessage: 'Balance',
        voiceCallId: 'c1',
      }),
    ).toMatchObject({
      vendor: 'voiceOtp',
      code: 'VOICE_CALL_REJECTED',
      record: { kind: 'VoiceCall', key: 'c1' },
    });
    expect(
      stored('VendorUnavailable', {
        code: 'VENDOR_UNAVAILABLE',
        vendor: 'dmall',
        reason: 'VENDOR_TIMEOUT',
        outcomeUnknown: true,
        orderId: 'o1',
      }),
    ).toMatchObject({ record: { kind: 'Order', key: 'o1' }, vendorCode: null });
    expect(stored('VendorRejected', { vendor: 'dmall', orderId: 'o2' })).toBeInstanceOf(
      VendorRejected,
    );
  });

  it('name every class under its own name', () => {
    for (const [name, cls] of Object.entries(ERROR_CLASSES)) expect(cls.name).toBe(name);
  });
});
