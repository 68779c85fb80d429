import type { Ledger } from '../src/server/console-ledgers.js';
import { gql } from './api.js';
import { h } from './dom.js';
import { statusLabel, t, when } from './i18n.js';
import type { Row } from './state.js';

interface Event {
  sequence: number;
  status: string;
  at: string;
  detail: string | null;
}
interface KeyUse {
  operation: string;
  key: string;
  fingerprintedAt: string;
  expiresAt: string;
  outcome: string;
}
interface Notification {
  queueId: string;
  action: string;
  channel: string;
  commandCode: string;
  resultCode: string;
  errorDesc: string;
  receivedAt: string;
  replays: number;
  lastReplayedAt: string | null;
}

const EVIDENCE = `events { sequence status at detail }
  idempotencyKeys { operation key fingerprintedAt expiresAt outcome }`;

/** Each ledger's record as evidence: its ids (the vendors' and ours), events and keys. */
const RECORDS: Record<Ledger, { fragment: string; ids: string[] }> = {
  orders: {
    fragment: `... on Order { databaseId partnerTransId orderCode telcoTransId otpAttempts
      failure { code vendorCode message } ${EVIDENCE} }`,
    ids: ['databaseId', 'partnerTransId', 'orderCode', 'telcoTransId', 'otpAttempts'],
  },
  vas: {
    fragment: `... on VasTransaction { databaseId queueId channel vendorCode vendorMessage
      failureReason ${EVIDENCE} }`,
    ids: ['databaseId', 'queueId', 'channel', 'vendorCode', 'vendorMessage', 'failureReason'],
  },
  oa: {
    fragment: `... on OAPackage { oaId servicePreviewId vendorCode vendorMessage ${EVIDENCE} }`,
    ids: ['oaId', 'servicePreviewId', 'vendorCode', 'vendorMessage'],
  },
  voice: {
    fragment: `... on VoiceCall { requestId vendorCode status ${EVIDENCE} }`,
    ids: ['requestId', 'vendorCode', 'status'],
  },
};

function ids(record: Row, names: string[]) {
  const failure = record.failure as { code: string; vendorCode: string | null } | undefined;
  const pairs: Array<[string, unknown]> = names.map((n) => [n, record[n]]);
  if (failure) pairs.push(['failure', `${failure.code} ${failure.vendorCode ?? ''}`.trim()]);
  return h(
    'dl',
    { class: 'ids' },
    ...pairs.flatMap(([k, v]) => [
      h('dt', {}, k),
      h('dd', { 'data-id-of': k }, v === null || v === undefined || v === '' ? '—' : String(v)),
    ]),
  );
}

function table(id: string, heads: string[], rows: Array<Array<string | Node>>) {
  return h(
    'table',
    { class: 'events', id },
    h('thead', {}, h('tr', {}, ...heads.map((head) => h('th', {}, head)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, c))))),
  );
}

function events(list: readonly Event[]) {
  return table(
    'evidence-events',
    ['#', t('created'), t('status'), t('detail')],
    list.map((e) => [String(e.sequence), when(e.at), statusLabel(e.status), e.detail ?? '']),
  );
}

function keys(list: readonly KeyUse[]) {
  if (list.length === 0) return h('p', { class: 'empty' }, t('idempotencyNone'));
  return table(
    'evidence-keys',
    [t('operation'), t('idemKey'), t('fingerprintedAt'), t('expiresAt'), t('outcome')],
    list.map((k) => [
      k.operation,
      k.key,
      h('span', { 'data-at': k.fingerprintedAt }, when(k.fingerprintedAt)),
      when(k.expiresAt),
      statusLabel(k.outcome),
    ]),
  );
}

/** Every SDP notification for the subscriber and package: when, what, and how often replayed. */
async function notifications(row: Row): Promise<Node[]> {
  const { subscriber } = await gql<{
    subscriber: { vasEvents: { totalCount: number; edges: Array<{ node: Notification }> } };
  }>(
    `query ConsoleVasNotifications($phone: String!, $serviceId: ID!, $packageId: ID!) {
      subscriber(phone: $phone) { vasEvents(serviceId: $serviceId, packageId: $packageId, first: 100) {
        totalCount edges { node { id queueId action channel commandCode resultCode errorDesc
          receivedAt replays lastReplayedAt } } } } }`,
    { phone: row.phone, serviceId: row.serviceId, packageId: row.packageId },
  );
  const list = subscriber.vasEvents.edges.map((e) => e.node);
  return [
    h('h3', {}, `${t('notifications')} (${subscriber.vasEvents.totalCount})`),
    list.length === 0
      ? h('p', { class: 'empty', id: 'no-notifications' }, t('noNotifications'))
      : table(
          'notifications',
          [t('receivedAt'), 'queueId', t('action'), 'channel', t('command'), t('result'), ''],
          list.map((n) => [
            when(n.receivedAt),
            n.queueId,
            n.action,
            n.channel,
            n.commandCode,
            `${n.resultCode} ${n.errorDesc}`.trim(),
            n.replays > 0
              ? `${t('recorded')}; ${t('replayed')} ${n.replays} ${t('times')} ${when(n.lastReplayedAt)}`
              : t('recorded'),
          ]),
        ),
  ];
}

/**
 * The evidence of one record, read now: its ids, its events, the idempotency keys that made or
 * acted on it, and for a VAS transaction the SDP's notifications for that subscriber and package.
 */
export async function evidence(ledger: Ledger, row: Row, close: () => void): Promise<Node[]> {
  const spec = RECORDS[ledger];
  const { node } = await gql<{
    node: (Row & { events: Event[]; idempotencyKeys: KeyUse[] }) | null;
  }>(`query ConsoleEvidence($id: ID!) { node(id: $id) { id ${spec.fragment} } }`, { id: row.id });
  const record = node ?? { ...row, events: [], idempotencyKeys: [] };
  return [
    h(
      'div',
      { class: 'top' },
      h('h2', {}, `${t('evidence')} · ${String(row.phone ?? row.oaId ?? '')}`),
      h(
        'button',
        { type: 'button', class: 'link', id: 'close-evidence', onclick: close },
        t('close'),
      ),
    ),
    h('h3', {}, t('vendorIds')),
    ids(record, spec.ids),
    h('h3', {}, t('events')),
    events(record.events),
    h('h3', {}, t('idempotency')),
    keys(record.idempotencyKeys),
    ...(ledger === 'vas' ? await notifications(row) : []),
  ];
}
