import type { Ledger, LedgerPage } from '../src/server/console-ledgers.js';
import { action, badge, inDoubt } from './actions.js';
import { clear, h } from './dom.js';
import { t, vnd, type Word, when } from './i18n.js';
import { type Row, state } from './state.js';

/** Rows a page shows; the API's own page size caps it. */
export const PAGE_SIZE = 25;

const price = (v: unknown) => (v === null || v === undefined || v === '' ? '' : vnd(Number(v)));

/** Each ledger's columns between the time and the status: a heading and a cell. */
const COLUMNS: Record<Ledger, Array<[Word, (r: Row) => string]>> = {
  orders: [
    ['client', (r) => String(r.client)],
    ['phone', (r) => String(r.phone)],
    ['telco', (r) => String(r.telco)],
    ['package', (r) => String(r.packageCode)],
    ['amount', (r) => price((r.package as { price?: number } | null)?.price)],
  ],
  vas: [
    ['client', (r) => String(r.client)],
    ['phone', (r) => String(r.phone)],
    ['package', (r) => `${r.serviceId}/${r.packageId} ${r.action === 'CANCEL' ? '−' : '+'}`],
    ['amount', (r) => price(r.price)],
  ],
  oa: [
    ['client', (r) => String(r.client)],
    ['oaId', (r) => String(r.oaId)],
    ['package', (r) => `${r.tier} · ${r.activeFrom} · ${r.duration}`],
  ],
  voice: [
    ['client', (r) => String(r.client)],
    ['phone', (r) => String(r.phone)],
  ],
};

/**
 * A page of the ledger, newest first: rows in doubt stand out with what settles them, a click
 * on a row opens its evidence, and the pager walks the API's cursors.
 */
export function showRows(
  section: HTMLElement,
  page: LedgerPage,
  open: (row: Row) => void,
  reload: () => void,
): void {
  const ledger = state.filter.ledger;
  const columns = COLUMNS[ledger];
  const rows = page.edges.map(({ node }) => node as Row);
  const doubts = rows.filter((r) => inDoubt(ledger, r)).length;
  const body = h(
    'tbody',
    {},
    ...rows.map((row) => {
      const doubt = inDoubt(ledger, row);
      return h(
        'tr',
        {
          class: doubt ? 'doubt' : undefined,
          'data-id': row.id,
          'data-status': row.status,
          tabindex: '0',
          onclick: (e: Event) => {
            if (!(e.target as HTMLElement).closest('.action')) open(row);
          },
          onkeydown: (e: Event) => {
            if ((e as KeyboardEvent).key === 'Enter' && e.target === e.currentTarget) open(row);
          },
        },
        h('td', {}, when(row.createdAt as string)),
        ...columns.map(([word, cell]) =>
          h('td', { class: word === 'amount' ? 'num' : undefined }, cell(row)),
        ),
        h('td', { class: 'status' }, badge(row.status)),
        h('td', { class: 'action' }, doubt ? action(ledger, row) : ''),
      );
    }),
  );
  const pages = Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE));
  const heads: Word[] = ['created', ...columns.map(([word]) => word), 'status', 'action'];
  clear(
    section,
    h(
      'div',
      { class: 'top' },
      h('h2', {}, t(ledger)),
      doubts > 0
        ? h('span', { class: 'doubt-count', id: 'doubt-count' }, `${doubts} ${t('inDoubtCount')}`)
        : '',
    ),
    h(
      'table',
      { id: 'ledger', class: 'ledger' },
      h('thead', {}, h('tr', {}, ...heads.map((w) => h('th', {}, t(w))))),
      body,
    ),
    rows.length === 0 ? h('p', { class: 'empty' }, t('noRows')) : '',
    h(
      'div',
      { class: 'pager' },
      h(
        'button',
        {
          type: 'button',
          id: 'prev',
          disabled: state.page === 0,
          onclick: () => {
            state.page -= 1;
            reload();
          },
        },
        t('prev'),
      ),
      h(
        'span',
        { id: 'page-of' },
        `${t('page')} ${state.page + 1} ${t('of')} ${pages} · ${page.totalCount} ${t('records')}`,
      ),
      h(
        'button',
        {
          type: 'button',
          id: 'next',
          disabled: !page.pageInfo.hasNextPage,
          onclick: () => {
            state.cursors[state.page + 1] = page.pageInfo.endCursor;
            state.page += 1;
            reload();
          },
        },
        t('next'),
      ),
    ),
  );
}
