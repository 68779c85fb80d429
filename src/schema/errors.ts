import { builder } from './builder.js';

/**
 * Expected failures are part of the schema: each kind is a type implementing `Error`, listed on
 * the fields that can produce it, so clients get `...Result` unions and switch on `__typename`.
 * Anything not listed is masked by Yoga and reaches the client as "Unexpected error.".
 */

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'An expected failure: a message a person can read, and a stable machine code.',
  fields: (t) => ({
    message: t.exposeString('message', {
      description: 'What went wrong, in words fit to show a clerk.',
    }),
    code: t.exposeString('code', {
      description: 'A stable code for programs, e.g. INVALID_PHONE_NUMBER.',
    }),
  }),
});

export class InvalidPhoneNumber extends GatewayError {
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message, 'INVALID_PHONE_NUMBER');
  }
}

builder.objectType(InvalidPhoneNumber, {
  name: 'InvalidPhoneNumber',
  description: 'The phone number is not a Vietnamese mobile number in a form the gateway reads.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    input: t.exposeString('input', { description: 'The value that was given.' }),
  }),
});
