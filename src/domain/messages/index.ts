import { INPUT_MESSAGES } from './input.js';
import { PROTOCOL_MESSAGES } from './protocol.js';
import { REQUEST_MESSAGES } from './requests.js';
import { SALES_MESSAGES } from './sales.js';
import type { Entry, Language, Params } from './say.js';
import { VAS_MESSAGES } from './vas.js';
import { VENDOR_MESSAGES } from './vendor.js';
import { VOICE_MESSAGES } from './voice.js';

export { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './say.js';

/**
 * The message catalogue: every message the gateway writes to a client, in Vietnamese and in
 * English. A key is `<group>.<name>`, its group the error it belongs to: a registered error's
 * name (`InvalidInput`, `OtpIncorrect`; `VendorError` for the vendor pair), or the code of a
 * protocol error (`UNAUTHENTICATED`, `MAX_DEPTH_EXCEEDED`). A gateway error is made from a
 * message of its own group and nothing else (`GatewayError<G>`), a refusal from a protocol
 * code's (`refusal`): there is no other way to put words in front of a client.
 *
 * Errors carry the key and its parameters, never the words: a result stored with an
 * idempotency key is rendered again for whoever replays it, in their language. So a key, once
 * shipped, keeps its parameters; a message that needs others is a new key (a stored result whose
 * key this catalogue no longer has falls back to the English it was stored with).
 */
export const MESSAGES = {
  ...INPUT_MESSAGES,
  ...REQUEST_MESSAGES,
  ...SALES_MESSAGES,
  ...VENDOR_MESSAGES,
  ...VAS_MESSAGES,
  ...VOICE_MESSAGES,
  ...PROTOCOL_MESSAGES,
};

export type MessageKey = keyof typeof MESSAGES;
type GroupOf<K> = K extends `${infer G}.${string}` ? G : never;
export type MessageGroup = GroupOf<MessageKey>;
export type ParamsOf<K extends MessageKey> = Parameters<(typeof MESSAGES)[K]['en']>[0];

/**
 * One message of the catalogue, as an error carries it: a key and the parameters that key's
 * renderers take. Made only by `message`. `G` is the group it belongs to, so that an error takes
 * only the messages of its own group.
 */
export interface Message<G extends MessageGroup = MessageGroup> {
  readonly key: MessageKey;
  readonly params: Params;
  /** Type-only, never set: the message's group (a brand, checked where a message is taken). */
  readonly group?: G;
}

/** A message of the catalogue, by key, with the parameters its renderers take. */
export function message<K extends MessageKey>(
  key: K,
  ...params: Record<never, never> extends ParamsOf<K> ? [params?: ParamsOf<K>] : [ParamsOf<K>]
): Message<GroupOf<K>> {
  return { key, params: params[0] ?? {} };
}

/** The group of a message: the error it belongs to (its name, or its protocol code). */
export function groupOf<G extends MessageGroup>(text: Message<G>): G {
  return text.key.slice(0, text.key.indexOf('.')) as G;
}

/**
 * Whether this catalogue has the message: a result stored by another version of the gateway
 * may name a key it does not (the caller then falls back to the English stored with it).
 */
export function isKnown(text: unknown): text is Message {
  const key = (text as { key?: unknown } | null)?.key;
  return typeof key === 'string' && Object.hasOwn(MESSAGES, key);
}

/** The message in `language`. */
export function render(text: Message, language: Language): string {
  const entry = MESSAGES[text.key] as Entry<Params>;
  return entry[language](text.params as Params);
}
