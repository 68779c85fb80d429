import { GraphQLError } from 'graphql';
import { type PhoneNumber, PhoneNumberError, parsePhone } from '../domain/phone.js';

/**
 * Reads a phone argument of a look-up. Look-ups raise a GraphQL error with code
 * INVALID_PHONE_NUMBER; mutations return the `InvalidPhoneNumber` type in their result unions.
 */
export function phoneArgument(input: string): PhoneNumber {
  try {
    return parsePhone(input);
  } catch (err) {
    if (err instanceof PhoneNumberError) {
      throw new GraphQLError(err.message, {
        extensions: { code: 'INVALID_PHONE_NUMBER', typename: 'InvalidPhoneNumber' },
      });
    }
    throw err;
  }
}
