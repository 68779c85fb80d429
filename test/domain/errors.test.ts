import { describe, expect, it } from 'vitest';
import {
  deserializeError,
  ERROR_CLASSES,
  errorMessage,
  InvalidInput,
  OtpAlreadySent,
  OtpAlreadySentElsewhere,
  OtpIncorrect,
  serializeError,
  VendorRejected,
  VendorUnavailable,
} from '../../src/domain/errors.js';
import { message } from '../../src/domain/messages/index.js';

describe('stored error results', () => {
  it('round-trip through JSON with class, message and fields intact', () => {
    for (const original of [
      new OtpIncorrect(
        message('OtpIncorrect.attemptsLeft', { attemptsLeft: 3 }),
        3,
        '1006',
        'Mã OTP không chính xác',
        'o1',
      ),
      new VendorUnavailable(
        message('VendorError.dmallNotConfirmed', { code: 'VENDOR_TIMEOUT' }),
        'dmall',
        'VENDOR_TIMEOUT',
        true,
        { kind: 'Order', key: 'o2' },
      ),
      new VendorRejected(
        message('VendorError.vasRejected', { errorId: '1' }),
        'vascloud',
        '1',
        'Thue bao khong ton tai',
        { kind: 'VasTransaction', key: 't1' },
      ),
    ]) {
      const back = deserializeError(JSON.parse(JSON.stringify(serializeError(original))));
      expect(back).toBeInstanceOf(original.constructor);
      expect(back.message).toBe(original.message);
      expect({ ...back }).toEqual({ ...original });
    }
  });

  it('keep their message’s key, so a replay is in the replaying caller’s language', () => {
    const stored = JSON.parse(
      JSON.stringify(
        serializeError(
          new OtpIncorrect(
            message('OtpIncorrect.attemptsLeft', { attemptsLeft: 2 }),
            2,
            '1006',
            null,
            'o1',
          ),
        ),
      ),
    );
    // The English is stored too: a gateway of an earlier version replays it as it is.
    expect(stored.fields.message).toBe('Wrong OTP. 2 attempts left.');
    const back = deserializeError(stored);
    expect(errorMessage(back, 'vi')).toBe('Mã OTP không đúng. Còn 2 lần thử.');
    expect(errorMessage(back, 'en')).toBe('Wrong OTP. 2 attempts left.');
  });

  it('replays a result stored before 0.3 (English only) in its English, whatever the language', () => {
    const old = deserializeError({
      name: 'OtpExpired',
      fields: {
        name: 'OtpExpired',
        code: 'OTP_EXPIRED',
        message: 'The OTP has expired.',
        orderId: 'o1',
      },
    });
    expect(errorMessage(old, 'vi')).toBe('The OTP has expired.');
    expect(errorMessage(old, 'en')).toBe('The OTP has expired.');
    // And what it tells a caller who may not see its order, stored as English too.
    const blocked = deserializeError({
      name: 'OtpAlreadySent',
      fields: {
        name: 'OtpAlreadySent',
        code: 'OTP_ALREADY_SENT',
        message: 'An OTP for 6C120 was already sent (order DG1).',
        orderId: 'o2',
        elsewhereMessage: 'An OTP for 6C120 was already sent by another client.',
        elsewhereRetryAfterSeconds: 120,
        named: { kind: 'Order', key: 'o2' },
      },
    });
    expect(blocked).toBeInstanceOf(OtpAlreadySent);
    const elsewhere = blocked.elsewhere();
    expect(elsewhere).toBeInstanceOf(OtpAlreadySentElsewhere);
    expect(elsewhere).toMatchObject({ code: 'OTP_ALREADY_SENT_ELSEWHERE', retryAfterSeconds: 120 });
    expect(errorMessage(elsewhere, 'vi')).toBe(
      'An OTP for 6C120 was already sent by another client.',
    );
  });

  it('falls back to the stored English for a key this catalogue does not have', () => {
    const later = deserializeError({
      name: 'InvalidInput',
      fields: {
        name: 'InvalidInput',
        code: 'INVALID_INPUT',
        message: 'A message of a later version.',
        field: 'x',
        text: { key: 'InvalidInput.someLaterMessage', params: {} },
      },
    });
    expect(errorMessage(later, 'vi')).toBe('A message of a later version.');
  });

  it('are made from the catalogue only, never from free text', () => {
    // @ts-expect-error a gateway error takes a message of the catalogue, not a string
    expect(() => new InvalidInput('free text', 'x')).toThrow();
    // @ts-expect-error nor a message of another error's group
    new InvalidInput(message('OtpExpired.expired'), 'x');
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
