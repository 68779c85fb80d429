import { describe, expect, it } from 'vitest';
import {
  deserializeError,
  ERROR_CLASSES,
  OtpIncorrect,
  serializeError,
  VendorUnavailable,
} from '../../src/domain/errors.js';

describe('stored error results', () => {
  it('round-trip through JSON with class, message and fields intact', () => {
    for (const original of [
      new OtpIncorrect('Wrong OTP. 3 attempts left.', 3, '1006', 'Mã OTP không chính xác', 'o1'),
      new VendorUnavailable('dmall did not confirm', 'dmall', 'VENDOR_TIMEOUT', true, 'o2'),
    ]) {
      const back = deserializeError(JSON.parse(JSON.stringify(serializeError(original))));
      expect(back).toBeInstanceOf(original.constructor);
      expect(back.message).toBe(original.message);
      expect({ ...back }).toEqual({ ...original });
    }
  });

  it('name every class under its own name', () => {
    for (const [name, cls] of Object.entries(ERROR_CLASSES)) expect(cls.name).toBe(name);
  });
});
