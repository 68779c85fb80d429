import type { Logger } from 'pino';
import { maskPhone } from '../../domain/phone.js';
import type { InboundRoute } from '../module.js';
import type { AddressCheck } from './allow-list.js';
import {
  DEFAULT_NOTIFY_PATH,
  type NotifierEcho,
  NotifyMessage,
  notifierResponse,
  parseVasXml,
  toNotification,
  VAS_ERROR,
  VAS_OK,
  type VasNotification,
  VasXmlError,
  XML_CONTENT_TYPE,
} from './wire.js';

/** The largest SDP notification read; the documented message is under 1 KiB. */
export const NOTIFY_MAX_BODY_BYTES = 16 * 1024;

export interface NotifyRouteOptions {
  /** The configured `VASCLOUD_CP_URL`; its path is where the route listens. */
  cpUrl: string | null;
  logger: Logger;
  deliver(event: VasNotification): Promise<void>;
  maxBodyBytes?: number;
  /** Whether a peer address may notify (`VASCLOUD_NOTIFY_ALLOW`); everyone when absent. */
  allow?: AddressCheck;
}

/** The route's path: the cpURL's pathname when one is configured, else the document's. */
export function notifyPath(cpUrl: string | null): string {
  if (!cpUrl) return DEFAULT_NOTIFY_PATH;
  const path = new URL(cpUrl).pathname.replace(/\/+$/, '');
  return path === '' ? DEFAULT_NOTIFY_PATH : path;
}

const NO_ECHO: NotifierEcho = { queueID: '', msisdn: '', service_id: '', package_id: '' };

/**
 * `POST <cpURL path>`: the SDP's `ACCESSGW NOTIFY` message when a subscriber registers or
 * cancels through another channel (an SMS such as `DK L1`). Answers the `SDP NOTIFIER RESPONSE`:
 * `error_id` 0 once the event is handed over; `error_id` 1 with a reason (HTTP 400, 413 or 503)
 * when the body is malformed, carries a DOCTYPE, is too large or misses a documented element, or
 * when no service took the event, so that the SDP sends it again later.
 */
export function notifyRoute(options: NotifyRouteOptions): InboundRoute {
  const maxBytes = options.maxBodyBytes ?? NOTIFY_MAX_BODY_BYTES;
  const { logger } = options;
  const answer = (status: number, errorId: string, reason: string, echo = NO_ECHO) =>
    new Response(notifierResponse(errorId, reason, echo), {
      status,
      headers: { 'content-type': XML_CONTENT_TYPE },
    });

  return {
    method: 'POST',
    path: notifyPath(options.cpUrl),
    async handle(request, peer) {
      // Refused before the body is read: an address outside the list learns nothing more.
      if (options.allow && !options.allow(peer?.address ?? null)) {
        logger.warn(
          { peer: peer?.address ?? null },
          'vascloud notification refused: address not allowed',
        );
        return new Response('Forbidden', {
          status: 403,
          headers: { 'content-type': 'text/plain' },
        });
      }
      const body = await readCapped(request, maxBytes);
      if (body === null) {
        logger.warn({ maxBytes }, 'vascloud notification refused: body too large');
        return answer(413, VAS_ERROR, `body larger than ${maxBytes} bytes`);
      }
      let parsed: Record<string, unknown>;
      try {
        parsed = parseVasXml(body);
      } catch (err) {
        if (!(err instanceof VasXmlError)) throw err;
        logger.warn({ reason: err.reason }, 'vascloud notification refused: unreadable XML');
        return answer(400, VAS_ERROR, err.message);
      }
      const message = NotifyMessage.safeParse(parsed);
      if (!message.success) {
        const issue = message.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        const reason = `${where}${issue?.message ?? 'not an ACCESSGW NOTIFY message'}`;
        logger.warn({ reason }, 'vascloud notification refused: not the documented shape');
        return answer(400, VAS_ERROR, reason);
      }
      const command = message.data.ACCESSGW.COMMAND;
      const echo: NotifierEcho = {
        queueID: command.queueID,
        msisdn: command.msisdn,
        service_id: command.service_id,
        package_id: command.package_id,
      };
      const event = toNotification(command);
      const fields = {
        queueId: event.queueId,
        action: event.action,
        phone: maskPhone(event.msisdn),
        serviceId: event.serviceId,
        packageId: event.packageId,
      };
      try {
        await options.deliver(event);
      } catch (err) {
        logger.error({ ...fields, err }, 'vascloud notification not taken; the SDP will retry');
        return answer(503, VAS_ERROR, 'not recorded, try again later', echo);
      }
      logger.info(fields, 'vascloud notification');
      return answer(200, VAS_OK, 'successfully', echo);
    },
  };
}

/** The body as text, or null past `maxBytes` (stops reading there). */
async function readCapped(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return null;
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
