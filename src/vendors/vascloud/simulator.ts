import { randomInt } from 'node:crypto';
import {
  route,
  type SimCallback,
  type SimReply,
  type SimRequest,
  SimulatorServer,
  sandbox,
  xml,
  xmlObject,
} from '../simulator-kit.js';
import {
  buildNotifyMessage,
  CHECK_PATH,
  CHECK_SERVICE_INFO,
  CheckServiceInfoRequest,
  formatVnTime,
  NotifyMessage,
  REG_PATH,
  REG_TYPES,
  VAS_ERROR,
  VAS_OK,
  type VasAction,
  XML_CONTENT_TYPE,
} from './wire.js';

/** What the simulated SDP knows of one subscriber's package. */
export interface SimSubscription {
  msisdn: string;
  serviceId: string;
  packageId: string;
  active: boolean;
  channel: string;
  autoRenew: boolean;
  changedAt: Date;
  /** Every accepted register/cancel, by queueID, oldest first. */
  history: Array<{ queueId: string; action: VasAction; channel: string; at: Date }>;
}

export interface VascloudSimulatorOptions {
  /** The gateway's notification URL (`VASCLOUD_CP_URL`), used by `notifySubscription`. */
  cpUrl?: string | null;
  hangMs?: number;
}

export interface SimNotification {
  msisdn: string;
  serviceId: string;
  packageId: string;
  action: VasAction;
  /** The gateway's URL; by default the simulator's `cpUrl`. */
  url?: string;
  /** By default `SMS`. */
  channel?: string;
  /** The SMS the subscriber sent; by default `DK L1` to register, `HUY L1` to cancel. */
  commandCode?: string;
  serviceCode?: string;
  packageCode?: string;
  price?: string;
  /** By default a new one; pass an earlier one to replay a notification. */
  queueId?: string;
}

export type VascloudSimulator = SimulatorServer & {
  /** Subscriptions by `msisdn|service|package`. */
  subscriptions: Map<string, SimSubscription>;
  subscription(msisdn: string, serviceId: string, packageId: string): SimSubscription | undefined;
  /**
   * The subscriber registers or cancels through another channel (an SMS such as `DK L1`): the
   * SDP changes its state and sends the `ACCESSGW NOTIFY` message to the gateway's cpURL.
   */
  notifySubscription(notification: SimNotification): Promise<SimCallback>;
};

const MISSING_PARAMETERS = 'Sai hoac thieu tham so';
const ALREADY_REGISTERED = 'Thue bao da dang ky goi cuoc';
const NOT_REGISTERED = 'Thue bao chua dang ky goi cuoc';

/**
 * The VAS cloud SDP as the vendor document describes it: CheckServiceInfo and notify_reg over
 * XML, subscriptions kept per msisdn/service/package, register and cancel honoured (registering
 * an active package or cancelling an inactive one answers `error_id` 1), and the SDP's own
 * notifications to the gateway's cpURL. A malformed body, a DOCTYPE, or a body missing a
 * documented element answers `error_id` 1 `Sai hoac thieu tham so` (HTTP 200, as the vendor's
 * errors are in the body). The document describes no credentials (the SDP allow-lists partner
 * addresses), so nothing is checked before the body.
 *
 * Magic MSISDNs (last seven digits), at both calls: 0000001 answers `error_id` 1, 0000002 answers
 * 503, 0000003 hangs, 0000004 answers garbage, none of them acting. At notify_reg only:
 * 0000005 acts, then hangs (the reply is lost, the change is made); 0000006 hangs without acting
 * on the first notify_reg of that msisdn/service/package, and the next one goes through.
 * CheckServiceInfo answers those two truthfully, which is how a lost reply is settled.
 */
export function createVascloudSimulator(options: VascloudSimulatorOptions = {}): VascloudSimulator {
  const subscriptions = new Map<string, SimSubscription>();
  const regCalls = new Map<string, number>();
  let nextQueueId = 5_000_000 + randomInt(1_000_000);
  const key = (msisdn: string, serviceId: string, packageId: string) =>
    `${msisdn}|${serviceId}|${packageId}`;

  const checkReply = (
    echo: { requestid?: string; msisdn?: string; service?: string; package?: string },
    status: string,
    errorId: string,
    errorDesc: string,
  ): SimReply =>
    xml(200, {
      RPLY: {
        '@_name': CHECK_SERVICE_INFO,
        requestid: echo.requestid ?? '',
        msisdn: echo.msisdn ?? '',
        service: echo.service ?? '',
        package: echo.package ?? '',
        status,
        error_id: errorId,
        error_desc: errorDesc,
      },
    });

  const notifierReply = (
    echo: { queueID?: string; msisdn?: string; service_id?: string; package_id?: string },
    errorId: string,
    errorDesc: string,
  ): SimReply =>
    xml(200, {
      ACCESSGW: {
        MODULE: 'SDP NOTIFIER',
        MESSAGE_TYPE: 'RESPONSE',
        COMMAND: {
          error_id: errorId,
          error_desc: errorDesc,
          queueID: echo.queueID ?? '',
          msisdn: echo.msisdn ?? '',
          service_id: echo.service_id ?? '',
          package_id: echo.package_id ?? '',
        },
      },
    });

  /** Applies a register or cancel; null when done, else the SDP's refusal. */
  const apply = (
    action: VasAction,
    change: { msisdn: string; serviceId: string; packageId: string; channel: string },
    queueId: string,
    autoRenew: boolean,
  ): string | null => {
    const k = key(change.msisdn, change.serviceId, change.packageId);
    const current = subscriptions.get(k);
    if (action === 'register' && current?.active) return ALREADY_REGISTERED;
    if (action === 'cancel' && !current?.active) return NOT_REGISTERED;
    const at = new Date();
    const next: SimSubscription = current ?? {
      ...change,
      active: false,
      autoRenew,
      changedAt: at,
      history: [],
    };
    next.active = action === 'register';
    next.channel = change.channel;
    next.autoRenew = action === 'register' && autoRenew;
    next.changedAt = at;
    next.history.push({ queueId, action, channel: change.channel, at });
    subscriptions.set(k, next);
    return null;
  };

  const server = new SimulatorServer({
    name: 'vascloud',
    ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
    badRequest: (message, req) => {
      const echo = readEcho(req);
      const desc = `${MISSING_PARAMETERS} (${message})`;
      return req.path === REG_PATH
        ? notifierReply(echo, VAS_ERROR, desc)
        : checkReply(
            {
              requestid: echo.requestid,
              msisdn: echo.msisdn,
              service: echo.service,
              package: echo.package,
            },
            '0',
            VAS_ERROR,
            desc,
          );
    },
    routes: [
      route({
        method: 'POST',
        path: CHECK_PATH,
        format: 'xml',
        input: CheckServiceInfoRequest,
        handle: ({ RQST: rq }) => {
          const refused = sandbox(rq.msisdn).failure(() =>
            checkReply(rq, '0', VAS_ERROR, 'Thue bao khong ton tai hoac bi chan'),
          );
          if (refused) return refused;
          const sub = subscriptions.get(key(rq.msisdn, rq.service, rq.package));
          return checkReply(rq, sub?.active ? '1' : '0', VAS_OK, 'Success');
        },
      }),
      route({
        method: 'POST',
        path: REG_PATH,
        format: 'xml',
        input: NotifyMessage,
        handle: ({ ACCESSGW: { COMMAND: c } }) => {
          const sandboxed = sandbox(c.msisdn);
          const refused = sandboxed.failure(() =>
            notifierReply(c, VAS_ERROR, 'Thue bao khong du dieu kien dang ky'),
          );
          if (refused) return refused;
          const k = key(c.msisdn, c.service_id, c.package_id);
          const calls = (regCalls.get(k) ?? 0) + 1;
          regCalls.set(k, calls);
          sandboxed.hangIf('hang-once', calls === 1);
          const action: VasAction = c.regType === REG_TYPES.register ? 'register' : 'cancel';
          const change = {
            msisdn: c.msisdn,
            serviceId: c.service_id,
            packageId: c.package_id,
            channel: c.channel,
          };
          const refusal = apply(action, change, c.queueID, c.autoRenew !== '0');
          if (refusal) return notifierReply(c, VAS_ERROR, refusal);
          sandboxed.hangIf('act-then-hang', calls === 1);
          return notifierReply(c, VAS_OK, 'successfully');
        },
      }),
    ],
  });

  const notifySubscription = async (n: SimNotification): Promise<SimCallback> => {
    const url = n.url ?? options.cpUrl;
    if (!url) throw new Error('vascloud simulator: no cpUrl to notify');
    const queueId = n.queueId ?? String(nextQueueId++);
    const channel = n.channel ?? 'SMS';
    const now = new Date();
    const refusal = apply(
      n.action,
      { msisdn: n.msisdn, serviceId: n.serviceId, packageId: n.packageId, channel },
      queueId,
      true,
    );
    // A replay (same queueID) or a refused change still notifies: the gateway must cope.
    const expires = new Date(now.getTime() + 24 * 3_600_000);
    const body = buildNotifyMessage({
      queueID: queueId,
      resultCode: refusal ? VAS_ERROR : VAS_OK,
      errorDesc: refusal ?? 'OK',
      startTime: String(now.getTime()),
      startTimeCP: String(now.getTime()),
      cpURL: url,
      regID: String(randomInt(10_000_000, 99_999_999)),
      msisdn: n.msisdn,
      regType: REG_TYPES[n.action],
      channel,
      service_id: n.serviceId,
      package_id: n.packageId,
      originalprice: n.price ?? '3000',
      price: n.price ?? '3000',
      commandcode: n.commandCode ?? (n.action === 'register' ? 'DK L1' : 'HUY L1'),
      serviceCode: n.serviceCode ?? '',
      packageCode: n.packageCode ?? '',
      subpackageCode: n.packageCode ?? '',
      autoRenew: n.action === 'register' ? '1' : '0',
      subcribeTime: formatVnTime(now),
      expiredTime: n.action === 'register' ? formatVnTime(expires) : formatVnTime(now),
      updateTime: '',
    });
    return server.callBack(url, body, XML_CONTENT_TYPE);
  };

  return Object.assign(server, {
    subscriptions,
    subscription: (msisdn: string, serviceId: string, packageId: string) =>
      subscriptions.get(key(msisdn, serviceId, packageId)),
    notifySubscription,
  });
}

/** The ids a refused request carried, echoed as the vendor's error replies do. */
function readEcho(req: SimRequest): Record<string, string | undefined> {
  const read = xmlObject(req.body);
  const inner = (read?.RQST ?? (read?.ACCESSGW as Record<string, unknown> | undefined)?.COMMAND) as
    | Record<string, unknown>
    | undefined;
  const pick = (name: string) => {
    const value = inner?.[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    requestid: pick('requestid'),
    queueID: pick('queueID'),
    msisdn: pick('msisdn'),
    service: pick('service'),
    package: pick('package'),
    service_id: pick('service_id'),
    package_id: pick('package_id'),
  };
}
