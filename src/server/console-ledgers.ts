/**
 * What the back-office console (`/console`) lists, shared by the page (console/, bundled for
 * the browser) and its CSV export (src/server/console.ts): the four ledgers, the filter a clerk
 * types and its checks, each ledger's GraphQL page query and its CSV columns. Pure: no DOM, no
 * Node (the domain lists it reads are plain data too), so both sides read rows the same way and
 * the export is exactly what the page lists.
 */

import { OA_PACKAGE_STATUSES, OA_PACKAGE_TIER_NAMES } from '../domain/oa-package.js';
import { ORDER_STATUSES } from '../domain/order.js';
import { KNOWN_TELCOS } from '../domain/telco-prefixes.js';
import { VAS_TRANSACTION_STATUSES } from '../domain/vas.js';
import { VOICE_CALL_STATUSES } from '../domain/voice.js';

export const LEDGERS = ['orders', 'vas', 'oa', 'voice'] as const;
export type Ledger = (typeof LEDGERS)[number];

/**
 * Every field of the filter form, with the shape its value must have; which of them a ledger
 * takes is `LEDGER_SPECS[l].fields`.
 */
const RULES = {
  from: /^\d{4}-\d{2}-\d{2}$/,
  to: /^\d{4}-\d{2}-\d{2}$/,
  status: /^[A-Z_]{1,20}$/,
  telco: /^[A-Z]{1,20}$/,
  package: /^[\w.-]{1,40}$/,
  client: /^[A-Za-z0-9._:-]{1,64}$/,
  phone: /^\+?[\d .-]{9,20}$/,
  oa: /^\d{1,32}$/,
} satisfies Record<string, RegExp>;
export type FilterField = keyof typeof RULES;
export const FILTER_FIELDS = Object.keys(RULES) as readonly FilterField[];

/** The filter as the clerk gives it: days are Vietnam days (yyyy-MM-dd), both included. */
export type ConsoleFilter = { ledger: Ledger } & Record<FilterField, string>;

/** The carriers a clerk can pick (every one the gateway knows a prefix of). */
export const TELCOS = KNOWN_TELCOS;

type Row = Record<string, unknown>;
type Column = [header: string, cell: (r: Row) => string];

interface LedgerSpec {
  statuses: readonly string[];
  /** The filter fields this ledger takes, besides the days. */
  fields: readonly FilterField[];
  /** Choices of the package field, when it is a list rather than free text (OA tiers). */
  packages?: readonly string[];
  /** The list field, its filter type, and what a row shows and exports. */
  list: string;
  filterType: string;
  rowFields: string;
  /** The totals field, when the API totals this ledger (with VND sums). */
  totals?: string;
  csv: Column[];
  /** The fields of the ledger's GraphQL filter that the form's package and phone fill. */
  packageArg: string;
  phoneArg: string;
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const price = (r: Row) => text((r.package as { price?: number } | null)?.price);

export const LEDGER_SPECS: Record<Ledger, LedgerSpec> = {
  orders: {
    statuses: ORDER_STATUSES,
    fields: ['status', 'telco', 'package', 'client', 'phone'],
    list: 'orders',
    filterType: 'OrderFilter',
    rowFields: `id databaseId createdAt updatedAt orderCode partnerTransId telcoTransId client phone
      telco packageCode package { price } status failure { code vendorCode message }`,
    totals: 'orderTotals',
    csv: [
      ['created_at', (r) => text(r.createdAt)],
      ['order_code', (r) => text(r.orderCode)],
      ['partner_trans_id', (r) => text(r.partnerTransId)],
      ['telco_trans_id', (r) => text(r.telcoTransId)],
      ['client', (r) => text(r.client)],
      ['phone', (r) => text(r.phone)],
      ['telco', (r) => text(r.telco)],
      ['package', (r) => text(r.packageCode)],
      ['price_vnd', price],
      ['status', (r) => text(r.status)],
      ['failure', (r) => text((r.failure as { message?: string } | null)?.message)],
      ['updated_at', (r) => text(r.updatedAt)],
    ],
    packageArg: 'packageCode',
    phoneArg: 'phone',
  },
  vas: {
    statuses: VAS_TRANSACTION_STATUSES,
    fields: ['status', 'package', 'client', 'phone'],
    list: 'vasTransactions',
    filterType: 'VasTransactionFilter',
    rowFields: `id databaseId createdAt settledAt client phone serviceId packageId
      action channel price autoRenew status queueId vendorCode vendorMessage failureReason`,
    totals: 'vasTransactionTotals',
    csv: [
      ['created_at', (r) => text(r.createdAt)],
      ['id', (r) => text(r.databaseId)],
      ['client', (r) => text(r.client)],
      ['phone', (r) => text(r.phone)],
      ['service_id', (r) => text(r.serviceId)],
      ['package_id', (r) => text(r.packageId)],
      ['action', (r) => text(r.action)],
      ['price_vnd', (r) => text(r.price)],
      ['status', (r) => text(r.status)],
      ['queue_id', (r) => text(r.queueId)],
      ['vendor_code', (r) => text(r.vendorCode)],
      ['settled_at', (r) => text(r.settledAt)],
    ],
    packageArg: 'packageId',
    phoneArg: 'phone',
  },
  oa: {
    statuses: OA_PACKAGE_STATUSES,
    fields: ['status', 'package', 'client', 'oa'],
    packages: OA_PACKAGE_TIER_NAMES,
    list: 'oaPackages',
    filterType: 'OAPackageFilter',
    rowFields: `id createdAt updatedAt client oaId tier activeFrom duration status servicePreviewId
      vendorCode vendorMessage`,
    csv: [
      ['created_at', (r) => text(r.createdAt)],
      ['client', (r) => text(r.client)],
      ['oa_id', (r) => text(r.oaId)],
      ['tier', (r) => text(r.tier)],
      ['active_from', (r) => text(r.activeFrom)],
      ['duration', (r) => text(r.duration)],
      ['status', (r) => text(r.status)],
      ['service_preview_id', (r) => text(r.servicePreviewId)],
      ['vendor_code', (r) => text(r.vendorCode)],
      ['vendor_message', (r) => text(r.vendorMessage)],
      ['updated_at', (r) => text(r.updatedAt)],
    ],
    packageArg: 'tier',
    phoneArg: 'oaId',
  },
  voice: {
    statuses: VOICE_CALL_STATUSES,
    fields: ['status', 'client', 'phone'],
    list: 'voiceCalls',
    filterType: 'VoiceCallFilter',
    rowFields: 'id createdAt settledAt client phone status requestId vendorCode',
    csv: [
      ['created_at', (r) => text(r.createdAt)],
      ['client', (r) => text(r.client)],
      ['phone', (r) => text(r.phone)],
      ['status', (r) => text(r.status)],
      ['request_id', (r) => text(r.requestId)],
      ['vendor_code', (r) => text(r.vendorCode)],
      ['settled_at', (r) => text(r.settledAt)],
    ],
    packageArg: '',
    phoneArg: 'phone',
  },
};

/** A filter with nothing set but the ledger. */
export function emptyFilter(ledger: Ledger): ConsoleFilter {
  const f = { ledger } as ConsoleFilter;
  for (const name of FILTER_FIELDS) f[name] = '';
  return f;
}

/**
 * Reads and checks a filter (from the export's form or the page's fields): every field
 * optional, each one given must have its shape and belong to the ledger (a status of it, a
 * field it takes). Returns the name of the first bad field instead.
 */
export function readConsoleFilter(
  get: (name: string) => string | null | undefined,
): ConsoleFilter | { invalid: string } {
  const ledger = get('ledger') || 'orders';
  if (!(LEDGERS as readonly string[]).includes(ledger)) return { invalid: 'ledger' };
  const spec = LEDGER_SPECS[ledger as Ledger];
  const f = emptyFilter(ledger as Ledger);
  for (const name of FILTER_FIELDS) {
    const value = (get(name) ?? '').trim();
    if (!value) continue;
    if (!RULES[name].test(value)) return { invalid: name };
    if (name !== 'from' && name !== 'to' && !spec.fields.includes(name)) return { invalid: name };
    f[name] = value;
  }
  if (f.status && !spec.statuses.includes(f.status)) return { invalid: 'status' };
  if (f.telco && !(TELCOS as readonly string[]).includes(f.telco)) return { invalid: 'telco' };
  if (f.package && spec.packages && !spec.packages.includes(f.package)) {
    return { invalid: 'package' };
  }
  for (const day of ['from', 'to'] as const) {
    if (f[day] && Number.isNaN(vietnamMidnight(f[day]).getTime())) return { invalid: day };
  }
  if (f.from && f.to && f.from > f.to) return { invalid: 'to' };
  return f;
}

/** 00:00 of a Vietnam day (UTC+7 all year). */
export function vietnamMidnight(day: string): Date {
  return new Date(`${day}T00:00:00+07:00`);
}

/** A Vietnam day, yyyy-MM-dd: today's by default. */
export function vietnamDay(at: Date = new Date()): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The GraphQL `filter` argument of the ledger's list (and of its totals). */
export function graphqlFilter(f: ConsoleFilter): Record<string, string> {
  const spec = LEDGER_SPECS[f.ledger];
  const out: Record<string, string> = {};
  if (f.from) out.createdFrom = vietnamMidnight(f.from).toISOString();
  if (f.to) out.createdTo = new Date(vietnamMidnight(f.to).getTime() + 86_400_000).toISOString();
  if (f.status) out.status = f.status;
  if (f.client) out.client = f.client;
  if (f.telco) out.telco = f.telco;
  if (f.package) out[spec.packageArg] = f.package;
  if (f.phone) out[spec.phoneArg] = f.phone;
  if (f.oa) out[spec.phoneArg] = f.oa;
  return out;
}

/** One page of a ledger, newest first, with its cursor and total. */
export function pageQuery(ledger: Ledger): string {
  const spec = LEDGER_SPECS[ledger];
  return `query ConsoleLedgerPage($filter: ${spec.filterType}, $first: Int, $after: String) {
  page: ${spec.list}(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${spec.rowFields} } } } }`;
}

/** A page as `pageQuery` answers it. */
export interface LedgerPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: Row }>;
}

/** The CSV's header line, then one line per row, as the export writes them. */
export function csvHeader(ledger: Ledger): string {
  return csvLine(LEDGER_SPECS[ledger].csv.map(([header]) => header));
}

export function csvRow(ledger: Ledger, row: Row): string {
  return csvLine(LEDGER_SPECS[ledger].csv.map(([, cell]) => cell(row)));
}

/**
 * One CSV line (RFC 4180, CRLF). A cell that a spreadsheet would run as a formula (`=`, `+`,
 * `@`, tab, CR, or `-` unless the whole cell is a number) is prefixed with `'` (OWASP's CSV
 * injection advice); vendor codes such as `-8` stay numbers, `-1+cmd|...` does not run.
 */
export function csvLine(cells: readonly string[]): string {
  return `${cells
    .map((c) => {
      const formula = /^[=+@\t\r]/.test(c) || (c.startsWith('-') && !/^-\d+(\.\d+)?$/.test(c));
      const safe = formula ? `'${c}` : c;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    })
    .join(',')}\r\n`;
}
