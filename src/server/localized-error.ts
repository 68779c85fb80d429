import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { isKnown, type Language, type Message, message, render } from '../domain/messages/index.js';

/**
 * Where a top-level error keeps its catalogue message until the response is written: a symbol
 * key of its `extensions`. JSON never writes a symbol key, so a client never sees it, and it
 * survives every copy of the error that spreads its extensions (graphql-js's located errors,
 * Yoga's, a plugin adding an extension), which a property of the error object would not.
 */
const MESSAGE = Symbol('message');

/**
 * A top-level error the gateway writes: in English until the response is written in the
 * request's language (`inLanguage`). The one way, with `refusal` (src/server/edge/refusal.ts)
 * and `topLevelGraphQLError` (src/schema/errors.ts), that the gateway's words become a GraphQL
 * error.
 */
export function localizedError(text: Message, options: GraphQLErrorOptions = {}): GraphQLError {
  return new GraphQLError(render(text, 'en'), {
    ...options,
    extensions: { ...options.extensions, ...carrying(text) },
  });
}

/** The extension that carries a message (none for a stored error that has only its English). */
export function carrying(text: Message | undefined): Record<symbol, Message> {
  return isKnown(text) ? { [MESSAGE]: text } : {};
}

/**
 * The message an error carries. A masked unexpected error carries none (Yoga made it), but its
 * message is always the same, so its code says which it is.
 */
function messageOf(error: GraphQLError): Message | undefined {
  const text = (error.extensions as Record<symbol, unknown> | undefined)?.[MESSAGE];
  if (isKnown(text)) return text;
  if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
    return message('INTERNAL_SERVER_ERROR.unexpected');
  }
  return undefined;
}

/**
 * The error in `language`: a copy when its words change (an error object can be shared by
 * requests in other languages: Yoga caches validation errors, the edge caches refusals per
 * document), the error itself otherwise. The copy keeps everything but the message.
 */
export function errorIn(error: GraphQLError, language: Language): GraphQLError {
  const text = messageOf(error);
  if (!text) return error;
  const words = render(text, language);
  if (words === error.message) return error;
  const copy = Object.create(
    Object.getPrototypeOf(error),
    Object.getOwnPropertyDescriptors(error),
  ) as GraphQLError;
  copy.message = words;
  return copy;
}

/** A result with every error the gateway wrote in `language`; graphql-js's stay as they are. */
export function inLanguage<R extends { errors?: readonly GraphQLError[] }>(
  result: R,
  language: Language,
): R {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) =>
    error instanceof GraphQLError ? errorIn(error, language) : error,
  );
  return errors.every((e, i) => e === result.errors![i]) ? result : { ...result, errors };
}
