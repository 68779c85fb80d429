import {
  CONNECTION_FIELD,
  type ConsoleFilter,
  FILTER_FIELDS,
  graphqlFilter,
  type Ledger,
  ORDER_STATUSES,
  PAGE_QUERIES,
  readConsoleFilter,
  TELCOS,
  VAS_STATUSES,
  vietnamToday,
} from '../src/server/console-ledgers.js';
import { ApiError, gql, KEY_SHAPE, storedKey, storeKey } from './api.js';
import { dayChart } from './chart.js';
import { clear, h } from './dom.js';
import { evidence } from './evidence.js';
import { type Lang, lang, setLang, statusLabel, t, vnd, type Word, when } from './i18n.js';

/**
 * The back-office console: one page, plain DOM, on the public GraphQL API with the clerk's key.
 * The body's `data-loads` counts finished loads (and `data-busy` is set during one), so a test
 * or a screen reader can wait for the page rather than for time.
 */
type Tab = Ledger | 'oa' | 'voice';
const PAGE_SIZE = 25;
/** A PENDING row older than this is stale: no vendor call lasts this long (the sweeper's grace). */
const STALE_MS = 5 * 60_000;
const LANG_ITEM = 'console:lang';

type Row = Record<string, unknown> & { id: string; status: string };
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: Row }>;
}

const state = {
  tab: 'orders' as Tab,
  filter: emptyFilter('orders'),
  /** `after` of each page seen so far: page i is read after cursors[i]. */
  cursors: [null] as Array<string | null>,
  page: 0,
  selected: null as Row | null,
};

function emptyFilter(ledger: Ledger): ConsoleFilter {
  const today = vietnamToday();
  return {
    ledger,
    from: today,
    to: today,
    status: '',
    telco: '',
    package: '',
    client: '',
    phone: '',
  };
}

const app = document.getElementById('app')!;
let loads = 0;
let pending = 0;

/** Marks a load begun or ended; `data-loads` counts the moments when none is left running. */
function busy(on: boolean) {
  pending += on ? 1 : -1;
  if (pending > 0) document.body.dataset.busy = '1';
  else {
    delete document.body.dataset.busy;
    document.body.dataset.loads = String(++loads);
  }
}

function render() {
  if (storedKey() === null) return clear(app, signInView());
  clear(app, header(), main());
  void load();
}

function switchLang() {
  const next: Lang = lang() === 'vi' ? 'en' : 'vi';
  setLang(next);
  sessionStorage.setItem(LANG_ITEM, next);
  render();
}

function langButton() {
  return h(
    'button',
    { type: 'button', id: 'lang', class: 'link', onclick: switchLang },
    t('language'),
  );
}

function signInView() {
  const message = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' });
  const input = h('input', {
    id: 'key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'tgw_…',
  });
  const submit = async (e: Event) => {
    e.preventDefault();
    const key = input.value.trim();
    if (key && !KEY_SHAPE.test(key)) return clear(message, t('keyShape'));
    storeKey(key);
    try {
      busy(true);
      await gql('query ConsoleSignIn { __typename }');
      render();
    } catch (err) {
      storeKey(null);
      clear(
        message,
        err instanceof ApiError && err.code === 'UNAUTHENTICATED' ? t('badKey') : String(err),
      );
    } finally {
      busy(false);
    }
  };
  return h(
    'main',
    { class: 'sign-in' },
    h('div', { class: 'top' }, h('h1', {}, t('title')), langButton()),
    h(
      'form',
      { id: 'sign-in-form', onsubmit: submit },
      h('h2', {}, t('signInTitle')),
      h('label', { for: 'key' }, t('key')),
      input,
      h('button', { type: 'submit', id: 'sign-in' }, t('signIn')),
      h('p', { class: 'help' }, t('signInHelp')),
      message,
    ),
  );
}

function header() {
  const tabs: Array<[Tab, Word]> = [
    ['orders', 'orders'],
    ['vas', 'vas'],
    ['oa', 'oa'],
    ['voice', 'voice'],
  ];
  return h(
    'header',
    {},
    h('h1', {}, t('title')),
    h(
      'nav',
      {},
      ...tabs.map(([tab, word]) =>
        h(
          'button',
          {
            type: 'button',
            class: tab === state.tab ? 'tab active' : 'tab',
            'data-tab': tab,
            'aria-pressed': String(tab === state.tab),
            onclick: () => {
              state.tab = tab;
              if (tab === 'orders' || tab === 'vas')
                state.filter = { ...state.filter, ledger: tab };
              state.cursors = [null];
              state.page = 0;
              state.selected = null;
              render();
            },
          },
          t(word),
        ),
      ),
    ),
    langButton(),
    h(
      'button',
      {
        type: 'button',
        id: 'sign-out',
        class: 'link',
        onclick: () => {
          storeKey(null);
          render();
        },
      },
      t('signOut'),
    ),
  );
}

function main() {
  if (state.tab === 'oa' || state.tab === 'voice') {
    return h(
      'main',
      {},
      h(
        'section',
        { class: 'panel', id: 'instructions' },
        h('p', {}, t('notInApi')),
        h('p', {}, t(state.tab === 'oa' ? 'oaHelp' : 'voiceHelp')),
      ),
    );
  }
  return h(
    'main',
    {},
    filterForm(),
    h('section', { class: 'panel', id: 'totals', 'aria-live': 'polite' }),
    h('section', { class: 'panel', id: 'rows' }),
    h('section', { class: 'panel', id: 'evidence', hidden: true }),
  );
}

function select(
  name: string,
  values: readonly string[],
  current: string,
  label: (v: string) => string,
) {
  return h(
    'select',
    { name, id: `f-${name}` },
    h('option', { value: '' }, t('any')),
    ...values.map((v) => h('option', { value: v, selected: v === current }, label(v))),
  );
}

function field(word: Word, control: HTMLElement) {
  return h('label', { class: 'field' }, h('span', {}, t(word)), control);
}

function filterForm() {
  const f = state.filter;
  const input = (name: keyof ConsoleFilter, type = 'text', extra: Record<string, string> = {}) =>
    h('input', { name, id: `f-${name}`, type, value: f[name], ...extra });
  const statuses = f.ledger === 'orders' ? ORDER_STATUSES : VAS_STATUSES;
  const error = h('p', { class: 'error', id: 'filter-error', role: 'alert' });
  const form = h(
    'form',
    {
      id: 'filter',
      class: 'panel filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const data = new FormData(form);
        const read = readConsoleFilter((n) =>
          n === 'ledger' ? f.ledger : (data.get(n) as string | null),
        );
        if ('invalid' in read) {
          clear(error, `${t('error')}: ${t(read.invalid as Word)}`);
          return;
        }
        clear(error);
        state.filter = read;
        state.cursors = [null];
        state.page = 0;
        state.selected = null;
        void load();
      },
    },
    field('from', input('from', 'date')),
    field('to', input('to', 'date')),
    field('status', select('status', statuses, f.status, statusLabel)),
    f.ledger === 'orders'
      ? field(
          'telco',
          select('telco', TELCOS, f.telco, (v) => v),
        )
      : null,
    field('package', input('package', 'text', { size: '8' })),
    field('client', input('client', 'text', { size: '12' })),
    field('phone', input('phone', 'tel', { size: '12', inputmode: 'tel' })),
    h('button', { type: 'submit', id: 'apply' }, t('apply')),
    h('button', { type: 'button', id: 'export', onclick: exportCsv }, t('exportCsv')),
    error,
  );
  return form;
}

/**
 * The export is a form posted to /console/export.csv with the key in its body (a link could
 * not carry the key's header): the gateway streams the file, the browser saves it to disk as it
 * comes, and neither holds the whole month.
 */
function exportCsv() {
  const f = state.filter;
  const form = h(
    'form',
    { method: 'post', action: '/console/export.csv', hidden: true },
    h('input', { type: 'hidden', name: 'key', value: storedKey() ?? '' }),
    h('input', { type: 'hidden', name: 'ledger', value: f.ledger }),
    ...FILTER_FIELDS.map((n) => h('input', { type: 'hidden', name: n, value: f[n] })),
  );
  document.body.append(form);
  form.submit();
  form.remove();
}

async function load() {
  const totals = document.getElementById('totals');
  const rows = document.getElementById('rows');
  if (!totals || !rows) return;
  busy(true);
  try {
    const f = state.filter;
    const [page] = await Promise.all([
      gql<Record<string, Page>>(PAGE_QUERIES[f.ledger], {
        filter: graphqlFilter(f),
        first: PAGE_SIZE,
        after: state.cursors[state.page] ?? null,
      }),
      f.ledger === 'orders' ? loadOrderTotals(totals) : loadVasTotals(totals),
    ]);
    showRows(rows, page[CONNECTION_FIELD[f.ledger]]!);
    if (state.selected) void showEvidence(state.selected);
  } catch (err) {
    clear(rows, failure(err));
  } finally {
    busy(false);
  }
}

function failure(err: unknown) {
  const text =
    err instanceof ApiError && err.code === 'FORBIDDEN'
      ? t('forbidden')
      : `${t('error')}: ${String(err instanceof Error ? err.message : err)}`;
  return h('p', { class: 'error', role: 'alert' }, text);
}

interface OrderTotals {
  count: number;
  amountVnd: number;
  byStatus: Array<{ status: string; count: number; amountVnd: number }>;
  byPackage: Array<{ packageCode: string; count: number; amountVnd: number }>;
  byDay: Array<{ day: string; status: string; count: number }>;
}

async function loadOrderTotals(section: HTMLElement) {
  const { orderTotals: o } = await gql<{ orderTotals: OrderTotals }>(
    `query ConsoleOrderTotals($filter: OrderFilter) { orderTotals(filter: $filter) {
      count amountVnd byStatus { status count amountVnd } byPackage { packageCode count amountVnd }
      byDay { day status count } } }`,
    { filter: graphqlFilter(state.filter) },
  );
  const table = (
    id: string,
    head: Word,
    items: Array<{ label: string; key: string; count: number; amountVnd: number }>,
  ) =>
    h(
      'table',
      { id, class: 'totals' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, t(head)), h('th', {}, t('count')), h('th', {}, t('amount'))),
      ),
      h(
        'tbody',
        {},
        ...items.map((i) =>
          h(
            'tr',
            { 'data-key': i.key },
            h('td', {}, i.label),
            h('td', { class: 'num', 'data-count': String(i.count) }, String(i.count)),
            h('td', { class: 'num', 'data-amount': String(i.amountVnd) }, vnd(i.amountVnd)),
          ),
        ),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('all')),
          h('td', { class: 'num', 'data-count': String(o.count) }, String(o.count)),
          h('td', { class: 'num', 'data-amount': String(o.amountVnd) }, vnd(o.amountVnd)),
        ),
      ),
    );
  clear(
    section,
    h('h2', {}, t('totals')),
    h(
      'div',
      { class: 'totals-grid' },
      table(
        'by-status',
        'status',
        o.byStatus.map((s) => ({ ...s, key: s.status, label: statusLabel(s.status) })),
      ),
      table(
        'by-package',
        'package',
        o.byPackage.map((p) => ({ ...p, key: p.packageCode, label: p.packageCode })),
      ),
      h('figure', {}, h('figcaption', {}, t('perDay')), dayChart(o.byDay)),
    ),
  );
}

/** The VAS ledger has no totals query: one count per status, in one request. */
async function loadVasTotals(section: HTMLElement) {
  const statuses = state.filter.status ? [state.filter.status] : [...VAS_STATUSES];
  const filter = graphqlFilter(state.filter);
  const counts = await gql<Record<string, { totalCount: number }>>(
    `query ConsoleVasTotals(${statuses.map((s) => `$${s}: VasTransactionFilter`).join(', ')}) {
      ${statuses.map((s) => `${s}: vasTransactions(filter: $${s}, first: 0) { totalCount }`).join('\n')} }`,
    Object.fromEntries(statuses.map((s) => [s, { ...filter, status: s }])),
  );
  const total = statuses.reduce((n, s) => n + (counts[s]?.totalCount ?? 0), 0);
  clear(
    section,
    h('h2', {}, t('totals')),
    h(
      'table',
      { id: 'by-status', class: 'totals' },
      h('thead', {}, h('tr', {}, h('th', {}, t('status')), h('th', {}, t('count')))),
      h(
        'tbody',
        {},
        ...statuses.map((s) =>
          h(
            'tr',
            { 'data-key': s },
            h('td', {}, statusLabel(s)),
            h(
              'td',
              { class: 'num', 'data-count': String(counts[s]?.totalCount ?? 0) },
              String(counts[s]?.totalCount ?? 0),
            ),
          ),
        ),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('all')),
          h('td', { class: 'num', 'data-count': String(total) }, String(total)),
        ),
      ),
    ),
  );
}

/** Whether a row needs a clerk: UNKNOWN, LOCKED, or PENDING (REGISTERING) for too long. */
export function inDoubt(row: Row): boolean {
  if (row.status === 'UNKNOWN' || row.status === 'LOCKED') return true;
  if (row.status !== 'PENDING' && row.status !== 'REGISTERING') return false;
  const at = Date.parse(String(row.updatedAt ?? row.createdAt));
  return Date.now() - at > STALE_MS;
}

function badge(status: string) {
  return h('span', { class: `badge s-${status}` }, statusLabel(status));
}

function showRows(section: HTMLElement, page: Page) {
  const ledger = state.filter.ledger;
  const heads: Word[] =
    ledger === 'orders'
      ? ['created', 'client', 'phone', 'telco', 'package', 'amount', 'status', 'action']
      : ['created', 'client', 'phone', 'package', 'amount', 'status', 'action'];
  const body = h('tbody');
  for (const { node } of page.edges) {
    const doubt = inDoubt(node);
    const pkg = node.package as { price?: number | null } | null | undefined;
    const cells =
      ledger === 'orders'
        ? [
            when(node.createdAt as string),
            String(node.client),
            String(node.phone),
            String(node.telco),
            String(node.packageCode),
            pkg?.price != null ? vnd(pkg.price) : '',
          ]
        : [
            when(node.createdAt as string),
            String(node.client),
            String(node.phone),
            `${node.serviceId}/${node.packageId} ${node.action === 'CANCEL' ? '✕' : '+'}`,
            node.price ? vnd(Number(node.price)) : '',
          ];
    const tr = h(
      'tr',
      {
        class: doubt ? 'doubt' : undefined,
        'data-id': node.id,
        'data-status': node.status,
        tabindex: '0',
        onclick: (e: Event) => {
          if ((e.target as HTMLElement).closest('.action')) return;
          state.selected = node;
          void showEvidence(node);
        },
      },
      ...cells.map((c, i) =>
        h('td', { class: i === cells.length - 1 && c ? 'num' : undefined }, c),
      ),
      h('td', {}, badge(node.status)),
      h('td', { class: 'action' }, doubt ? action(node) : ''),
    );
    body.append(tr);
  }
  const pages = Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE));
  clear(
    section,
    h(
      'table',
      { id: 'ledger', class: 'ledger' },
      h('thead', {}, h('tr', {}, ...heads.map((w) => h('th', {}, t(w))))),
      body,
    ),
    page.edges.length === 0 ? h('p', { class: 'empty' }, t('noRows')) : '',
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
            void load();
          },
        },
        t('prev'),
      ),
      h(
        'span',
        { id: 'page-of' },
        `${t('page')} ${state.page + 1} ${t('of')} ${pages} · ${page.totalCount}`,
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
            void load();
          },
        },
        t('next'),
      ),
    ),
  );
}

/** What settles an in-doubt row, run from the page; its result is shown beside it. */
function action(row: Row): HTMLElement {
  const result = h('output', { class: 'result', role: 'status' });
  if (state.filter.ledger === 'vas') {
    const button = h('button', { type: 'button', class: 'settle' }, t('settle'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      clear(result, t('settling'));
      busy(true);
      try {
        const { settleVasTransaction: r } = await gql<{
          settleVasTransaction: {
            __typename: string;
            message?: string;
            transaction?: { status: string };
          };
        }>(
          `mutation ConsoleSettleVas($id: ID!) { settleVasTransaction(id: $id) { __typename
            ... on SettleVasTransactionSuccess { transaction { id status settledAt } }
            ... on Error { code message } } }`,
          { id: row.id },
        );
        clear(result, r.transaction ? badge(r.transaction.status) : (r.message ?? r.__typename));
        result.dataset.outcome = r.transaction?.status ?? r.__typename;
      } catch (err) {
        clear(result, failure(err));
      } finally {
        button.disabled = false;
        busy(false);
      }
    });
    return h('div', {}, button, result);
  }
  if (row.status === 'LOCKED') return h('p', { class: 'help' }, t('lockedHelp'));
  if (row.status !== 'UNKNOWN') return h('p', { class: 'help' }, t('stalePending'));
  if (!row.orderCode) return h('p', { class: 'help' }, t('unknownOtpHelp'));
  const otp = h('input', {
    class: 'otp',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    size: '7',
    'aria-label': t('otp'),
    placeholder: t('otp'),
  });
  const button = h('button', { type: 'submit', class: 'register' }, t('retryRegister'));
  const form = h('form', { class: 'inline' }, otp, button, result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!/^\d{4,8}$/.test(otp.value.trim())) return clear(result, t('otpShape'));
    button.disabled = true;
    busy(true);
    try {
      const { registerWithOtp: r } = await gql<{
        registerWithOtp: { __typename: string; message?: string; order?: { status: string } };
      }>(
        `mutation ConsoleRegisterAgain($input: RegisterWithOtpInput!) { registerWithOtp(input: $input) {
          __typename ... on RegisterWithOtpSuccess { order { id status } } ... on Error { code message } } }`,
        {
          input: {
            orderCode: row.orderCode,
            otp: otp.value.trim(),
            idempotencyKey: crypto.randomUUID(),
          },
        },
      );
      otp.value = '';
      clear(result, r.order ? badge(r.order.status) : (r.message ?? r.__typename));
      result.dataset.outcome = r.order?.status ?? r.__typename;
    } catch (err) {
      clear(result, failure(err));
    } finally {
      button.disabled = false;
      busy(false);
    }
  });
  return form;
}

async function showEvidence(row: Row) {
  const section = document.getElementById('evidence');
  if (!section) return;
  section.hidden = false;
  busy(true);
  try {
    clear(
      section,
      ...(await evidence(state.filter.ledger, row, () => {
        state.selected = null;
        section.hidden = true;
      })),
    );
  } catch (err) {
    clear(section, failure(err));
  } finally {
    busy(false);
  }
}

setLang(sessionStorage.getItem(LANG_ITEM) === 'en' ? 'en' : 'vi');
render();
