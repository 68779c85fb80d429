import { json, route, type SimReply, SimulatorServer, sandbox } from '../simulator-kit.js';
import {
  ACCEPTED_CODE,
  ALREADY_PROCESSING_CODE,
  REGIS_OA_PACKAGE_PATH,
  RegisOAPackageRequest,
  type WirePackage,
} from './wire.js';

/**
 * The code the simulator answers for a malformed request, a date already past, and the magic
 * "reject" OA id. The vendor document names no code for these; eSMS's own table must say.
 */
export const SIM_INVALID_REQUEST_CODE = '99';

/** The messages the simulator answers with, per code (eSMS's own wording is not documented). */
const MESSAGES: Readonly<Record<string, string>> = {
  [ACCEPTED_CODE]: 'ViHAT is censoring trademark ownership',
  '101': 'Authorize Failed',
  '102': 'No price list has been set up for this account',
  '103': 'Balance not enough',
  '124': 'Duplicate request id',
  '140': 'IP address is not allowed to call this API',
  [ALREADY_PROCESSING_CODE]: 'The request already exists and is being processed',
  [SIM_INVALID_REQUEST_CODE]: 'Invalid request',
};

/** The codes with a magic OA id: an OA id whose last seven digits are `0000` + the code. */
export const MAGIC_CODES = [
  '101',
  '102',
  '103',
  '124',
  '140',
  '199',
  ...Array.from({ length: 11 }, (_, i) => String(789 + i)),
] as const;

export interface SimPurchase {
  servicePreviewId: number;
  oaId: string;
  package: WirePackage;
  dateActive: string;
  duration: string;
  /** `processing` until `finishReview`; only then may the same purchase be made again. */
  status: 'processing' | 'done';
  /** Calls that asked for this purchase, including those answered 199. */
  calls: number;
}

export interface EsmsSimulatorOptions {
  apiKey: string;
  secretKey: string;
  hangMs?: number;
  /** The simulator's clock, for "today" in Vietnam time; `Date.now` by default. */
  now?: () => number;
}

/**
 * An eSMS `RegisOAPackageJson` that behaves like the real one: checks the keys, then the body
 * (field names as eSMS spells them, every value a string, `Dateactive` a real `yyyy-MM-dd` day
 * not before today in Vietnam), remembers each purchase under a `ServicePreviewId`, and answers
 * 199 for the same purchase (OA, package, date, duration) while the first is being processed.
 *
 * Magic OA ids, by their last seven digits: `0000CCC` answers code CCC for each documented code
 * (101, 102, 103, 124, 140, 199, 789 to 799); the shared sandbox endings apply too: `0000001`
 * refuses with an undocumented code (99), `0000002` answers 503, `0000003` hangs, `0000004`
 * answers garbage, `0000005` records the purchase then hangs (the reply is lost), `0000006`
 * hangs without acting on the first call and goes through on the next.
 */
export function createEsmsSimulator(options: EsmsSimulatorOptions): SimulatorServer & {
  purchases: Map<number, SimPurchase>;
  finishReview(servicePreviewId: number): void;
} {
  const purchases = new Map<number, SimPurchase>();
  const now = options.now ?? Date.now;
  const firstCalls = new Set<string>();
  let nextId = 52_330;

  const answer = (code: string, extra: Record<string, unknown> = {}): SimReply =>
    json(200, {
      CodeResult: code,
      ErrorMessage: MESSAGES[code] ?? `Zalo OA error ${code}`,
      ...extra,
    });

  const server = new SimulatorServer({
    name: 'esms',
    ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
    // eSMS's keys travel in the body; a body that cannot be read is the bad request's business.
    authorize: (_req, read) => {
      if (read === null || typeof read !== 'object') return null;
      const { ApiKey, SecretKey } = read as Record<string, unknown>;
      return ApiKey === options.apiKey && SecretKey === options.secretKey ? null : answer('101');
    },
    badRequest: (message) =>
      json(400, {
        CodeResult: SIM_INVALID_REQUEST_CODE,
        ErrorMessage: `Invalid request: ${message}`,
      }),
    routes: [
      route({
        method: 'POST',
        path: REGIS_OA_PACKAGE_PATH,
        format: 'json',
        input: RegisOAPackageRequest,
        handle: (body) => {
          const magic = magicCode(body.OAID);
          if (magic) return answer(magic);
          const sandboxed = sandbox(body.OAID);
          const refused = sandboxed.failure(() => answer(SIM_INVALID_REQUEST_CODE));
          if (refused) return refused;
          const today = vietnamToday(now());
          if (body.Dateactive < today) {
            return json(200, {
              CodeResult: SIM_INVALID_REQUEST_CODE,
              ErrorMessage: `Dateactive ${body.Dateactive} is before today (${today})`,
            });
          }
          const same = [...purchases.values()].find(
            (p) =>
              p.status === 'processing' &&
              p.oaId === body.OAID &&
              p.package === body.Package &&
              p.dateActive === body.Dateactive &&
              p.duration === body.Duaration,
          );
          if (same) {
            same.calls += 1;
            return answer(ALREADY_PROCESSING_CODE);
          }
          const first = !firstCalls.has(body.OAID);
          firstCalls.add(body.OAID);
          sandboxed.hangIf('hang-once', first);
          const purchase: SimPurchase = {
            servicePreviewId: nextId++,
            oaId: body.OAID,
            package: body.Package,
            dateActive: body.Dateactive,
            duration: body.Duaration,
            status: 'processing',
            calls: 1,
          };
          purchases.set(purchase.servicePreviewId, purchase);
          sandboxed.hangIf('act-then-hang');
          return answer(ACCEPTED_CODE, { ServicePreviewId: purchase.servicePreviewId });
        },
      }),
    ],
  });
  return Object.assign(server, {
    purchases,
    /** eSMS finished reviewing a purchase: the same purchase may be made again. */
    finishReview(servicePreviewId: number) {
      const purchase = purchases.get(servicePreviewId);
      if (!purchase) throw new Error(`No purchase ${servicePreviewId}`);
      purchase.status = 'done';
    },
  });
}

/** The magic code of an OA id: its last seven digits are `0000` and a documented code. */
function magicCode(oaId: string): string | null {
  const last7 = oaId.replace(/\D/g, '').slice(-7);
  if (!last7.startsWith('0000')) return null;
  const code = last7.slice(4);
  return (MAGIC_CODES as readonly string[]).includes(code) ? code : null;
}

function vietnamToday(nowMs: number): string {
  return new Date(nowMs + 7 * 3_600_000).toISOString().slice(0, 10);
}
