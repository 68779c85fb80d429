import { decodeGlobalID } from '@pothos/plugin-relay';
import { type GraphQLResolveInfo, isObjectType } from 'graphql';
import { InvalidInput } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';

/**
 * Global ids are Relay's: base64 of `Type:key`, with the key each node type chooses (an order's
 * database id, a package's `TELCO:CODE`, a subscriber's encrypted number). An id that does not
 * decode, or names no type with a `node` look-up, is a bad argument: a top-level error with code
 * INVALID_INPUT. A well-formed id of a thing that does not exist is `null`.
 */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(globalId);
  } catch {
    throw notAnId();
  }
}

/** Refuses an id whose type is not a node type of this schema. */
export function checkNodeType(
  decoded: { typename: string; id: string },
  info: GraphQLResolveInfo,
): void {
  const type = info.schema.getType(decoded.typename);
  if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) {
    throw new InvalidInput(
      message('InvalidInput.noGlobalIds', { typename: decoded.typename }),
      'id',
    );
  }
}

export function notAnId(): InvalidInput {
  return new InvalidInput(message('InvalidInput.notAnId'), 'id');
}
