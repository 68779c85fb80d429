import type { Ledger } from '../src/server/console-ledgers.js';
import { gql } from './api.js';
import { h } from './dom.js';
import { statusLabel, t, when } from './i18n.js';

type Row = Record<string, unknown>;
interface Event {
  status: string;
  at: string;
  detail: string | null;
}
interface Notification {
  queueId: string;
  action: string;
  serviceId: string;
  packageId: string;
  channel: string;
  commandCode: string;
  resultCode: string;
  errorDesc: string;
  receivedAt: string;
}

function ids(pairs: Array<[string, unknown]>) {
  return h(
    'dl',
    { class: 'ids' },
    ...pairs.flatMap(([k, v]) => [
      h('dt', {}, k),
      h('dd', { 'data-id-of': k }, v == null ? '—' : String(v)),
    ]),
  );
}

function events(list: readonly Event[]) {
  return h(
    'table',
    { class: 'events' },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, t('created')), h('th', {}, t('status')), h('th', {}, '')),
    ),
    h(
      'tbody',
      {},
      ...list.map((e) =>
        h(
          'tr',
          {},
          h('td', {}, when(e.at)),
          h('td', {}, statusLabel(e.status)),
          h('td', {}, e.detail ?? ''),
        ),
      ),
    ),
  );
}

/**
 * The evidence of one record: its vendor ids, its events, and for a VAS transaction every SDP
 * notification received for that subscriber and package (the SDP's own word on it).
 */
export async function evidence(ledger: Ledger, row: Row, close: () => void): Promise<Node[]> {
  const head = h(
    'div',
    { class: 'top' },
    h('h2', {}, `${t('evidence')} · ${String(row.phone)}`),
    h(
      'button',
      { type: 'button', class: 'link', id: 'close-evidence', onclick: close },
      t('close'),
    ),
  );
  if (ledger === 'orders') {
    const failure = row.failure as {
      code: string;
      vendorCode: string | null;
      message: string | null;
    } | null;
    return [
      head,
      h('h3', {}, t('vendorIds')),
      ids([
        ['databaseId', row.databaseId],
        ['partnerTransId', row.partnerTransId],
        ['orderCode', row.orderCode],
        ['telcoTransId', row.telcoTransId],
        [
          'failure',
          failure ? `${failure.code} ${failure.vendorCode ?? ''} ${failure.message ?? ''}` : null,
        ],
        [t('idempotency'), t('idempotencyNone')],
      ]),
      h('h3', {}, t('events')),
      events(row.events as Event[]),
    ];
  }
  const answer = await gql<{ subscriber: { vasEvents: { edges: Array<{ node: Notification }> } } }>(
    `query ConsoleVasNotifications($phone: String!) { subscriber(phone: $phone) {
      vasEvents(first: 100) { edges { node { id queueId action serviceId packageId channel
        commandCode resultCode errorDesc receivedAt } } } } }`,
    { phone: row.phone },
  );
  const notes = answer.subscriber.vasEvents.edges
    .map((e) => e.node)
    .filter((n) => n.serviceId === row.serviceId && n.packageId === row.packageId);
  return [
    head,
    h('h3', {}, t('vendorIds')),
    ids([
      ['databaseId', row.databaseId],
      ['queueId', row.queueId],
      ['vendorCode', row.vendorCode],
      ['vendorMessage', row.vendorMessage],
      ['failureReason', row.failureReason],
      [t('idempotency'), t('idempotencyNone')],
    ]),
    h('h3', {}, t('events')),
    events(row.events as Event[]),
    h('h3', {}, t('notifications')),
    notes.length === 0
      ? h('p', { class: 'empty', id: 'no-notifications' }, t('noNotifications'))
      : h(
          'table',
          { class: 'events', id: 'notifications' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['receivedAt', 'queueId', 'action', 'channel', 'command', 'result', ''].map((c) =>
                h('th', {}, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...notes.map((n) =>
              h(
                'tr',
                {},
                h('td', {}, when(n.receivedAt)),
                h('td', {}, n.queueId),
                h('td', {}, n.action),
                h('td', {}, n.channel),
                h('td', {}, n.commandCode),
                h('td', {}, `${n.resultCode} ${n.errorDesc}`),
                h('td', {}, t('recorded')),
              ),
            ),
          ),
        ),
  ];
}
