import { InvalidPhoneNumber } from '../domain/errors.js';
import { type PhoneNumber, PhoneNumberError, parsePhone } from '../domain/phone.js';

/**
 * Reads a phone argument of a look-up. Look-ups answer a bad number with a top-level error with
 * code INVALID_PHONE_NUMBER; mutations return the `InvalidPhoneNumber` type in their result unions.
 */
export function phoneArgument(input: string): PhoneNumber {
  try {
    return parsePhone(input);
  } catch (err) {
    if (err instanceof PhoneNumberError) throw new InvalidPhoneNumber(err.message, input);
    throw err;
  }
}
