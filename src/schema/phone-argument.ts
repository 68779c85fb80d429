/**
 * Reads a phone argument of a look-up: the domain's one parser. Look-ups answer a bad number with
 * a top-level error with code INVALID_PHONE_NUMBER; mutations return the `InvalidPhoneNumber`
 * type in their result unions.
 */
export { parsePhone as phoneArgument } from '../domain/phone.js';
