import {
  graphqlFilter,
  LEDGERS,
  type Ledger,
  type LedgerPage,
  pageQuery,
} from '../src/server/console-ledgers.js';
import { failure, gql, storedKey, storeKey } from './api.js';
import { clear, h } from './dom.js';
import { evidence } from './evidence.js';
import { filterForm } from './filters.js';
import { type Lang, lang, setLang, t } from './i18n.js';
import { PAGE_SIZE, showRows } from './ledger-table.js';
import { signInView } from './sign-in.js';
import { busyWhile, type Row, state, switchLedger } from './state.js';
import { showTotals } from './totals.js';

/**
 * The back-office console: one page, plain DOM, on the public GraphQL API with the clerk's key.
 * A ledger at a time (orders, VAS transactions, OA purchases, voice calls): its filter, its
 * totals, a page of its rows with those in doubt highlighted and settled from the page, and the
 * evidence of the row opened.
 */
const LANG_ITEM = 'console:lang';
const app = document.getElementById('app')!;

function render() {
  if (storedKey() === null) return clear(app, signInView(langButton(), render));
  clear(
    app,
    header(),
    h(
      'main',
      {},
      filterForm(() => void load()),
      h('section', { class: 'panel', id: 'totals', 'aria-live': 'polite' }),
      h('section', { class: 'panel', id: 'rows' }),
      h('section', { class: 'panel', id: 'evidence', hidden: true }),
    ),
  );
  void load();
}

function langButton() {
  return h(
    'button',
    {
      type: 'button',
      id: 'lang',
      class: 'link',
      onclick: () => {
        const next: Lang = lang() === 'vi' ? 'en' : 'vi';
        setLang(next);
        sessionStorage.setItem(LANG_ITEM, next);
        render();
      },
    },
    t('language'),
  );
}

function header() {
  return h(
    'header',
    {},
    h('h1', {}, t('title')),
    h(
      'nav',
      {},
      ...LEDGERS.map((ledger: Ledger) =>
        h(
          'button',
          {
            type: 'button',
            class: ledger === state.filter.ledger ? 'tab active' : 'tab',
            'data-tab': ledger,
            'aria-pressed': String(ledger === state.filter.ledger),
            onclick: () => {
              switchLedger(ledger);
              render();
            },
          },
          t(ledger),
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

/** Reads the totals and the current page of the filter, at once, then the evidence shown. */
async function load() {
  const totals = document.getElementById('totals');
  const rows = document.getElementById('rows');
  if (!totals || !rows) return;
  await busyWhile(async () => {
    const f = state.filter;
    await Promise.all([
      showTotals(totals).catch((err: unknown) => clear(totals, failure(err))),
      gql<{ page: LedgerPage }>(pageQuery(f.ledger), {
        filter: graphqlFilter(f),
        first: PAGE_SIZE,
        after: state.cursors[state.page] ?? null,
      }).then(
        ({ page }) => showRows(rows, page, open, () => void load()),
        (err: unknown) => clear(rows, failure(err)),
      ),
    ]);
    if (state.selected) await open(state.selected);
  });
}

/** Opens a record's evidence beside the ledger. */
async function open(row: Row) {
  const section = document.getElementById('evidence');
  if (!section) return;
  state.selected = row;
  section.hidden = false;
  await busyWhile(async () => {
    try {
      const close = () => {
        state.selected = null;
        section.hidden = true;
      };
      clear(section, ...(await evidence(state.filter.ledger, row, close)));
    } catch (err) {
      clear(section, failure(err));
    }
  });
}

setLang(sessionStorage.getItem(LANG_ITEM) === 'en' ? 'en' : 'vi');
render();
