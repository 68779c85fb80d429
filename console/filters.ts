import {
  type ConsoleFilter,
  FILTER_FIELDS,
  type FilterField,
  LEDGER_SPECS,
  readConsoleFilter,
  TELCOS,
} from '../src/server/console-ledgers.js';
import { storedKey } from './api.js';
import { clear, h } from './dom.js';
import { statusLabel, t, type Word } from './i18n.js';
import { firstPage, state } from './state.js';

const LABELS: Record<FilterField, Word> = {
  from: 'from',
  to: 'to',
  status: 'status',
  telco: 'telco',
  package: 'package',
  client: 'client',
  phone: 'phone',
  oa: 'oaId',
};

function select(name: FilterField, values: readonly string[], label: (v: string) => string) {
  const current = state.filter[name];
  return h(
    'select',
    { name, id: `f-${name}` },
    h('option', { value: '' }, t('any')),
    ...values.map((v) => h('option', { value: v, selected: v === current }, label(v))),
  );
}

function input(name: FilterField, type: string, extra: Record<string, string> = {}) {
  return h('input', { name, id: `f-${name}`, type, value: state.filter[name], ...extra });
}

function control(name: FilterField): HTMLElement {
  const spec = LEDGER_SPECS[state.filter.ledger];
  switch (name) {
    case 'from':
    case 'to':
      return input(name, 'date');
    case 'status':
      return select(name, spec.statuses, statusLabel);
    case 'telco':
      return select(name, TELCOS, (v) => v);
    case 'package':
      return spec.packages
        ? select(name, spec.packages, (v) => v)
        : input(name, 'text', { size: '9' });
    case 'phone':
      return input(name, 'tel', { size: '12', inputmode: 'tel' });
    case 'oa':
      return input(name, 'text', { size: '16', inputmode: 'numeric' });
    default:
      return input(name, 'text', { size: '12' });
  }
}

/**
 * The filter of the ledger shown: the days, then the fields this ledger takes. Applying it
 * starts again from the first page; Export downloads exactly its rows.
 */
export function filterForm(onApply: () => void): HTMLFormElement {
  const spec = LEDGER_SPECS[state.filter.ledger];
  const error = h('p', { class: 'error', id: 'filter-error', role: 'alert' });
  const fields: FilterField[] = ['from', 'to', ...spec.fields];
  const form = h(
    'form',
    { id: 'filter', class: 'panel filters' },
    ...fields.map((name) =>
      h('label', { class: 'field' }, h('span', {}, t(LABELS[name])), control(name)),
    ),
    h('button', { type: 'submit', id: 'apply', class: 'primary' }, t('apply')),
    h(
      'button',
      { type: 'button', id: 'export', title: t('exportHelp'), onclick: () => exportCsv() },
      t('exportCsv'),
    ),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const read = readConsoleFilter((n) =>
      n === 'ledger' ? state.filter.ledger : (data.get(n) as string | null),
    );
    if ('invalid' in read) {
      clear(error, `${t('error')}: ${t(LABELS[read.invalid as FilterField] ?? 'apply')}`);
      return;
    }
    clear(error);
    state.filter = read;
    firstPage();
    onApply();
  });
  return form;
}

/**
 * The export is a form posted to /console/export.csv with the key in its body (a download
 * cannot carry an Authorization header): the gateway streams the file and the browser saves it
 * as it comes, so neither holds a month of rows.
 */
function exportCsv(filter: ConsoleFilter = state.filter) {
  const form = h(
    'form',
    { method: 'post', action: '/console/export.csv', hidden: true },
    h('input', { type: 'hidden', name: 'key', value: storedKey() ?? '' }),
    h('input', { type: 'hidden', name: 'ledger', value: filter.ledger }),
    ...FILTER_FIELDS.map((n) => h('input', { type: 'hidden', name: n, value: filter[n] })),
  );
  document.body.append(form);
  form.submit();
  form.remove();
}
