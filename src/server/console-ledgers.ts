/**
 * What the back-office console (`/console`) lists, shared by the page (console/app.ts, bundled
 * for the browser) and the CSV export (src/server/console.ts): the filter a clerk types, its
 * validation, the GraphQL documents of each ledger and the CSV columns. Pure: no DOM, no Node.
 */

export const LEDGERS = ['orders', 'vas'] as const;
export type Ledger = (typeof LEDGERS)[number];

export const ORDER_STATUSES = [
  'PENDING',
  'OTP_SENT',
  'REGISTERING',
  'REGISTERED',
  'FAILED',
  'UNKNOWN',
  'LOCKED',
  'EXPIRED',
  'REFUSED',
] as const;
export const VAS_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN'] as const;
export const TELCOS = [
  'VIETTEL',
  'MOBIFONE',
  'VINAPHONE',
  'VIETNAMOBILE',
  'GMOBILE',
  'ITEL',
  'REDDI',
];

/** The filter as the clerk gives it: days are Vietnam days (yyyy-MM-dd), both included. */
export interface ConsoleFilter {
  ledger: Ledger;
  from: string;
  to: string;
  status: string;
  telco: string;
  package: string;
  client: string;
  phone: string;
}

export const FILTER_FIELDS = [
  'from',
  'to',
  'status',
  'telco',
  'package',
  'client',
  'phone',
] as const;

const RULES: Record<(typeof FILTER_FIELDS)[number], RegExp> = {
  from: /^\d{4}-\d{2}-\d{2}$/,
  to: /^\d{4}-\d{2}-\d{2}$/,
  status: /^[A-Z_]{1,20}$/,
  telco: /^[A-Z]{1,20}$/,
  package: /^[\w.-]{1,40}$/,
  client: /^[\w.:-]{1,100}$/,
  phone: /^\+?[\d .-]{9,20}$/,
};

/**
 * Reads and checks a filter (from a form or the page's fields): every field optional, each one
 * given must have its shape, and a status must belong to the ledger. Returns the name of the
 * first bad field instead.
 */
export function readConsoleFilter(
  get: (name: string) => string | null | undefined,
): ConsoleFilter | { invalid: string } {
  const ledger = get('ledger') ?? 'orders';
  if (!(LEDGERS as readonly string[]).includes(ledger)) return { invalid: 'ledger' };
  const f: ConsoleFilter = {
    ledger: ledger as Ledger,
    from: '',
    to: '',
    status: '',
    telco: '',
    package: '',
    client: '',
    phone: '',
  };
  for (const name of FILTER_FIELDS) {
    const value = (get(name) ?? '').trim();
    if (value && !RULES[name].test(value)) return { invalid: name };
    f[name] = value;
  }
  const statuses: readonly string[] = ledger === 'orders' ? ORDER_STATUSES : VAS_STATUSES;
  if (f.status && !statuses.includes(f.status)) return { invalid: 'status' };
  if (f.telco && !TELCOS.includes(f.telco)) return { invalid: 'telco' };
  for (const day of ['from', 'to'] as const) {
    if (f[day] && Number.isNaN(vietnamMidnight(f[day]).getTime())) return { invalid: day };
  }
  return f;
}

/** 00:00 of a Vietnam day (UTC+7 all year). */
export function vietnamMidnight(day: string): Date {
  return new Date(`${day}T00:00:00+07:00`);
}

/** Today in Vietnam, yyyy-MM-dd. */
export function vietnamToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The GraphQL `filter` argument of the ledger's list (and of `orderTotals`). */
export function graphqlFilter(f: ConsoleFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.from) out.createdFrom = vietnamMidnight(f.from).toISOString();
  if (f.to) out.createdTo = new Date(vietnamMidnight(f.to).getTime() + 86_400_000).toISOString();
  if (f.status) out.status = f.status;
  if (f.phone) out.phone = f.phone;
  if (f.client) out.client = f.client;
  if (f.ledger === 'orders') {
    if (f.telco) out.telco = f.telco;
    if (f.package) out.packageCode = f.package;
  } else if (f.package) {
    out.packageId = f.package;
  }
  return out;
}

const ORDER_FIELDS = `id databaseId createdAt updatedAt orderCode partnerTransId telcoTransId
  client phone telco packageCode package { price } status otpAttemptsLeft
  failure { code vendorCode message } events { sequence status at detail }`;
const VAS_FIELDS = `id databaseId createdAt settledAt client phone serviceId packageId action
  channel price autoRenew status queueId vendorCode vendorMessage failureReason
  events { status at detail }`;

/** One page of a ledger, newest first, with its cursor. */
export const PAGE_QUERIES: Record<Ledger, string> = {
  orders: `query ConsoleOrders($filter: OrderFilter, $first: Int, $after: String) {
  orders(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${ORDER_FIELDS} } } } }`,
  vas: `query ConsoleVasTransactions($filter: VasTransactionFilter, $first: Int, $after: String) {
  vasTransactions(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${VAS_FIELDS} } } } }`,
};

/** Where a page's connection is in the answer. */
export const CONNECTION_FIELD: Record<Ledger, string> = {
  orders: 'orders',
  vas: 'vasTransactions',
};

type Row = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The CSV columns of each ledger: a header and how a row (the GraphQL node) fills it. */
export const CSV_COLUMNS: Record<Ledger, Array<[string, (r: Row) => string]>> = {
  orders: [
    ['created_at', (r) => text(r.createdAt)],
    ['order_code', (r) => text(r.orderCode)],
    ['partner_trans_id', (r) => text(r.partnerTransId)],
    ['telco_trans_id', (r) => text(r.telcoTransId)],
    ['client', (r) => text(r.client)],
    ['phone', (r) => text(r.phone)],
    ['telco', (r) => text(r.telco)],
    ['package', (r) => text(r.packageCode)],
    ['price_vnd', (r) => text((r.package as { price?: number } | null)?.price)],
    ['status', (r) => text(r.status)],
    ['failure', (r) => text((r.failure as { message?: string } | null)?.message)],
    ['updated_at', (r) => text(r.updatedAt)],
  ],
  vas: [
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
};

/**
 * One CSV line (RFC 4180, CRLF). A cell that a spreadsheet would run as a formula (`=`, `+`,
 * `@`, or `-` not followed by a digit) is prefixed with `'` (OWASP's CSV injection advice);
 * vendor codes such as `-8` stay numbers.
 */
export function csvLine(cells: readonly string[]): string {
  return `${cells
    .map((c) => {
      const safe = /^[=+@\t\r]|^-(?!\d)/.test(c) ? `'${c}` : c;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    })
    .join(',')}\r\n`;
}
