import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { ms, optionalUrl, secret } from '../../src/config-fields.js';
import { errorClasses, InvalidInput } from '../../src/domain/errors.js';
import { message } from '../../src/domain/messages/index.js';
import { outcomeOf } from '../../src/domain/vendor-outcome.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { builder } from '../../src/schema/builder.js';
import { SENSITIVE } from '../../src/schema/sensitive.js';
import { IDEMPOTENT_ERRORS, readKey } from '../../src/services/idempotent.js';
import type { LedgerCallRunner } from '../../src/services/ledger-call-spec.js';
import type { LedgerSweep } from '../../src/services/ledger-sweep.js';
import { VendorError, type VendorHttp } from '../../src/vendors/http.js';
import { VENDOR_MODULES } from '../../src/vendors/index.js';
import { defineVendor, type EnvOf, type VendorSection } from '../../src/vendors/module.js';
import { json, route, SimulatorServer } from '../../src/vendors/simulator-kit.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A vendor that exists only in this test, with one creating mutation and its ledger: a parcel
 * courier whose `POST /book` books a pickup (and charges for it). Its config, client, simulator,
 * table, service and GraphQL fields are all declared here, in one module; the gateway takes it
 * from its module list (`[...VENDOR_MODULES, parcel]`), so adding it touches no file in `src/`:
 * the gateway runs its migration, registers its fields, builds its service with the shared
 * ledger-call runner, answers its failures with the one vendor error pair, sweeps its ledger and
 * holds its mutation to the one-sensitive-mutation rule, all from the module.
 */

const PARCEL_ENV = {
  PARCEL_BASE_URL: optionalUrl,
  PARCEL_TOKEN: secret,
  PARCEL_TIMEOUT_MS: ms(2_000),
};
type ParcelSection = VendorSection & { token: string | null };

class ParcelClient {
  constructor(private readonly opts: { http: VendorHttp; token: string }) {}

  /** Books a pickup: creates something (and a charge) at the vendor, so made exactly once. */
  book(phone: string, ref: string): Promise<{ bookingId: string }> {
    return this.opts.http.call({
      operation: 'book',
      method: 'POST',
      path: '/book',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: this.opts.token, phone, ref }),
      safeToRepeat: false,
      phone,
      parse: (reply) => {
        const body = z
          .union([
            z.object({ id: z.string() }),
            z.object({ error: z.string(), message: z.string() }),
          ])
          .parse(JSON.parse(reply.body));
        if ('error' in body) {
          throw new VendorError({
            vendor: 'parcel',
            code: 'VENDOR_REJECTED',
            message: body.message,
            vendorCode: body.error,
            vendorMessage: body.message,
          });
        }
        return { bookingId: body.id };
      },
    });
  }
}

/** A booking in the feature's own ledger. */
interface Booking {
  id: string;
  client_id: string;
  phone: string;
  status: 'PENDING' | 'BOOKED' | 'FAILED' | 'UNKNOWN';
  booking_id: string | null;
  vendor_code: string | null;
  created_at: string;
}

const PARCEL_ERRORS = [...IDEMPOTENT_ERRORS, 'VendorRejected', 'VendorUnavailable'] as const;

class ParcelBookings {
  readonly ledgerSweep: LedgerSweep = {
    sweeps: 'stale parcel bookings',
    sweep: async (staleAfterMs) => {
      const before = new Date(this.deps.now().getTime() - staleAfterMs).toISOString();
      const { numUpdatedRows } = await this.deps.db
        .updateTable('parcel_bookings' as never)
        .set({ status: 'UNKNOWN' } as never)
        .where(sql.ref('status'), '=', 'PENDING')
        .where(sql.ref('created_at'), '<', before)
        .executeTakeFirst();
      return Number(numUpdatedRows);
    },
  };

  constructor(
    private readonly deps: {
      client: ParcelClient;
      db: Kysely<unknown>;
      calls: LedgerCallRunner;
      now: () => Date;
    },
  ) {}

  find = async (id: string): Promise<Booking | null> =>
    ((await sql<Booking>`select * from parcel_bookings where id = ${id}`.execute(this.deps.db))
      .rows[0] as Booking | undefined) ?? null;

  private async move(b: Booking, set: Partial<Booking>): Promise<Booking> {
    await this.deps.db
      .updateTable('parcel_bookings' as never)
      .set(set as never)
      .where(sql.ref('id'), '=', b.id)
      .execute();
    return (await this.find(b.id))!;
  }

  book(clientId: string, input: { phone: string; idempotencyKey?: string | null }) {
    if (!/^0\d{9}$/.test(input.phone)) {
      throw new InvalidInput(message('InvalidInput.malformed', { field: 'phone' }), 'phone');
    }
    const ref = randomUUID();
    return this.deps.calls.run<Booking, { bookingId: string }>({
      scope: { clientId, operation: 'bookParcel', key: readKey(input.idempotencyKey) },
      request: { phone: input.phone },
      kind: 'ParcelBooking',
      vendor: 'parcel',
      savedAs: 'bookingId',
      find: this.find,
      record: async () => {
        const row = {
          id: ref,
          client_id: clientId,
          phone: input.phone,
          status: 'PENDING',
          created_at: this.deps.now().toISOString(),
        };
        await this.deps.db
          .insertInto('parcel_bookings' as never)
          .values(row as never)
          .execute();
        return (await this.find(ref))!;
      },
      call: (b) => this.deps.client.book(b.phone, b.id),
      succeeded: (b, answer) => this.move(b, { status: 'BOOKED', booking_id: answer.bookingId }),
      failed: async (b, err) => {
        const outcome = outcomeOf(err);
        await this.move(b, {
          status: outcome === 'UNKNOWN' ? 'UNKNOWN' : 'FAILED',
          vendor_code: err.vendorCode,
        });
        // A feature writes no words of its own: the catalogue's messages that name the vendor.
        if (outcome === 'REJECTED') {
          return message('VendorError.rejected', { vendor: 'parcel', vendorCode: err.vendorCode });
        }
        return message(
          outcome === 'UNKNOWN' ? 'VendorError.notConfirmed' : 'VendorError.notTaken',
          {
            vendor: 'parcel',
            code: err.code,
          },
        );
      },
      interrupted: (b) => b,
    });
  }
}

const parcel = defineVendor({
  name: 'parcel',
  env: PARCEL_ENV,
  urlVariable: 'PARCEL_BASE_URL',
  requiredWithUrl: ['PARCEL_TOKEN'],
  section: (env: EnvOf<typeof PARCEL_ENV>): ParcelSection => ({
    baseUrl: env.PARCEL_BASE_URL ?? null,
    timeoutMs: env.PARCEL_TIMEOUT_MS,
    token: env.PARCEL_TOKEN ?? null,
  }),
  redactPaths: ['token'],
  sandbox: {
    credentials: { token: 'sandbox-parcel-token' },
    simulator: () =>
      new SimulatorServer({
        name: 'parcel',
        authorize: () => null,
        badRequest: (message) => json(400, { error: 'BAD', message }),
        routes: [
          route({
            method: 'POST',
            path: '/book',
            format: 'json',
            input: z.object({ token: z.string(), phone: z.string(), ref: z.string() }),
            // 0900000001 refuses; 0900000003 hangs past the timeout; any other is booked.
            handle: async (input) => {
              if (input.phone === '0900000001') {
                return json(200, { error: 'E42', message: 'Không phục vụ khu vực này' });
              }
              if (input.phone === '0900000003') await new Promise((r) => setTimeout(r, 4_000));
              return json(200, { id: `P-${input.ref.slice(0, 8)}` });
            },
          }),
        ],
      }),
  },
  client: ({ http, config }) => new ParcelClient({ http, token: config.token ?? '' }),
  feature: {
    migrations: {
      parcel_0001_bookings: {
        async up(db: Kysely<unknown>) {
          await db.schema
            .createTable('parcel_bookings')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('client_id', 'text', (c) => c.notNull())
            .addColumn('phone', 'text', (c) => c.notNull())
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('booking_id', 'text')
            .addColumn('vendor_code', 'text')
            .addColumn('created_at', 'text', (c) => c.notNull())
            .execute();
        },
      },
    },
    register() {
      const BookingRef = builder.objectRef<Booking>('ParcelBooking').implement({
        description: 'A parcel pickup booked with the courier.',
        fields: (t) => ({
          id: t.exposeString('id', { description: 'The booking’s id.' }),
          status: t.exposeString('status', { description: 'PENDING, BOOKED, FAILED or UNKNOWN.' }),
          bookingId: t.exposeString('booking_id', {
            nullable: true,
            description: 'The courier’s id, once booked.',
          }),
        }),
      });
      const Input = builder.inputType('BookParcelInput', {
        description: 'A pickup to book.',
        fields: (t) => ({
          phone: t.string({ required: true, description: 'The sender’s phone.' }),
          idempotencyKey: t.string({ description: 'A key that makes a retry safe.' }),
        }),
      });
      builder.mutationField('bookParcel', (t) =>
        t.field({
          extensions: SENSITIVE,
          authScopes: { sales: true },
          type: BookingRef,
          description: 'Books a pickup with the courier: recorded, then asked once.',
          args: { input: t.arg({ type: Input, required: true, description: 'The pickup.' }) },
          errors: {
            types: errorClasses(PARCEL_ERRORS),
            union: { name: 'BookParcelResult', description: 'The booking, or why not.' },
            result: { name: 'BookParcelSuccess', description: 'The courier booked it.' },
            dataField: { name: 'booking', description: 'The booking.' },
          },
          resolve: (_root, { input }, ctx) =>
            (ctx.features.parcel as ParcelBookings).book(ctx.clientId, input),
        }),
      );
    },
    service: ({ client, db, calls, now }) => new ParcelBookings({ client, db, calls, now }),
  },
});

const MODULES = [...VENDOR_MODULES, parcel] as const;
const logger = pino({ level: 'silent' });

const BOOK = `mutation ($input: BookParcelInput!) { bookParcel(input: $input) {
  __typename
  ... on BookParcelSuccess { booking { id status bookingId } }
  ... on VendorError { code vendor reason outcomeUnknown vendorCode vendorMessage record { id } }
} }`;

describe('a vendor with a creating mutation and its ledger, added from outside src/', () => {
  let gateway: Gateway | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await gateway?.close();
    await database?.dispose();
    gateway = undefined;
    database = undefined;
  });

  async function start() {
    const config = loadConfig(
      { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' },
      MODULES,
    );
    database = sqliteDatabase();
    gateway = await createGateway(config, { logger, db: database.database, modules: MODULES });
    const g = gateway;
    return async (query: string, variables: Record<string, unknown>) => {
      const res = await g.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-client-id': 'shop-parcel' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as {
        data?: { bookParcel: Record<string, unknown> };
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
    };
  }

  it('records, calls once, settles, and replays by key, through the gateway’s own parts', async () => {
    const gql = await start();
    const sim = gateway!.sandbox.simulators.parcel!;
    const idempotencyKey = randomUUID();
    const first = await gql(BOOK, { input: { phone: '0936000101', idempotencyKey } });
    expect(first.errors).toBeUndefined();
    expect(first.data?.bookParcel).toMatchObject({
      __typename: 'BookParcelSuccess',
      booking: { status: 'BOOKED', bookingId: expect.stringMatching(/^P-/) },
    });
    // A retry with the same key answers the same booking without calling the courier again.
    expect(await gql(BOOK, { input: { phone: '0936000101', idempotencyKey } })).toEqual(first);
    expect(sim.callsTo('/book')).toHaveLength(1);
    expect(sim.callsTo('/book')[0]!.body).toContain('sandbox-parcel-token');
  });

  it('answers the one vendor error pair, with the vendor’s words and the ledger’s state', async () => {
    const gql = await start();
    const refused = await gql(BOOK, { input: { phone: '0900000001' } });
    expect(refused.data?.bookParcel).toEqual({
      __typename: 'VendorRejected',
      code: 'VENDOR_REJECTED',
      vendor: 'parcel',
      reason: 'VENDOR_REJECTED',
      outcomeUnknown: false,
      vendorCode: 'E42',
      vendorMessage: 'Không phục vụ khu vực này',
      // Its ledger is not a kind of Node: the record is not shown.
      record: null,
    });
    const timedOut = await gql(BOOK, { input: { phone: '0900000003' } });
    expect(timedOut.data?.bookParcel).toMatchObject({
      __typename: 'VendorUnavailable',
      code: 'VENDOR_UNAVAILABLE',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    const rows = await sql<{ phone: string; status: string; vendor_code: string | null }>`
      select phone, status, vendor_code from parcel_bookings order by phone`.execute(
      database!.database.db,
    );
    expect(rows.rows).toEqual([
      { phone: '0900000001', status: 'FAILED', vendor_code: 'E42' },
      { phone: '0900000003', status: 'UNKNOWN', vendor_code: null },
    ]);
  });

  it('is swept with the other ledgers, and is one sensitive mutation per document', async () => {
    const gql = await start();
    await sql`insert into parcel_bookings (id, client_id, phone, status, created_at)
      values ('stale', 'shop-parcel', '0936000102', 'PENDING', '2020-01-01T00:00:00.000Z')`.execute(
      database!.database.db,
    );
    await gateway!.sweep();
    const row = await sql<{
      status: string;
    }>`select status from parcel_bookings where id = 'stale'`.execute(database!.database.db);
    expect(row.rows[0]?.status).toBe('UNKNOWN');

    const twice = await gql(
      `mutation { a: bookParcel(input: { phone: "0936000103" }) { __typename }
                  b: bookParcel(input: { phone: "0936000104" }) { __typename } }`,
      {},
    );
    expect(twice.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SENSITIVE_MUTATIONS');
    expect(gateway!.sandbox.simulators.parcel!.callsTo('/book')).toHaveLength(0);
  });
});
