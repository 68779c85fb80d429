import { GraphQLError } from 'graphql';
import { type PhoneNumber, PhoneNumberError, parsePhone } from '../domain/phone.js';
import { builder } from './builder.js';
import { TelcoEnum } from './telco.js';

export const SubscriberRef = builder.objectRef<PhoneNumber>('Subscriber').implement({
  description: 'A mobile subscriber, identified by phone number.',
  fields: (t) => ({
    phone: t.exposeString('local', { description: 'Local form, `0936004420`.' }),
    msisdn: t.exposeString('msisdn', { description: 'MSISDN, `84936004420`.' }),
    e164: t.exposeString('e164', { description: 'E.164, `+84936004420`.' }),
    telco: t.field({
      type: TelcoEnum,
      description: 'The carrier, from the number prefix.',
      resolve: (p) => p.telco,
    }),
  }),
});

/**
 * Reads a phone argument. Look-ups raise a GraphQL error with code INVALID_PHONE_NUMBER, while
 * mutations return the `InvalidPhoneNumber` type in their result unions.
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

builder.queryField('subscriber', (t) =>
  t.field({
    type: SubscriberRef,
    nullable: true,
    description:
      'A subscriber by phone number, in any of the forms `0936004420`, `84936004420` or `+84936004420` (spaces and dots allowed). A number that is not a Vietnamese mobile number is an error with code INVALID_PHONE_NUMBER.',
    args: {
      phone: t.arg.string({ required: true, description: 'The phone number, in any form.' }),
    },
    resolve: (_root, { phone }) => phoneArgument(phone),
  }),
);
