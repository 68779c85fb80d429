import { graphqlFilter, LEDGER_SPECS } from '../src/server/console-ledgers.js';
import { gql } from './api.js';
import { dayChart } from './chart.js';
import { clear, h } from './dom.js';
import { statusLabel, t, vnd, type Word } from './i18n.js';
import { state } from './state.js';

interface Tally {
  count: number;
  amountVnd: number | null;
}
interface Item extends Tally {
  key: string;
  label: string;
}
interface Totals extends Tally {
  byStatus: Array<Tally & { status: string }>;
  byPackage: Array<Tally & { packageCode?: string; serviceId?: string; packageId?: string }>;
  byDay: Array<{ day: string; status: string; count: number }>;
}

/**
 * The ledger's totals for the filter. Orders and VAS have totals in the API (counted and priced
 * per status, package and day); OA purchases and calls carry no price, so the page counts them
 * per status (and OA per tier) with one aliased `totalCount` query.
 */
async function fetchTotals(): Promise<Totals> {
  const f = state.filter;
  const spec = LEDGER_SPECS[f.ledger];
  const filter = graphqlFilter(f);
  if (spec.totals) {
    const packageFields = f.ledger === 'orders' ? 'packageCode' : 'serviceId packageId';
    const data = await gql<{ totals: Totals }>(
      `query ConsoleTotals($filter: ${spec.filterType}) { totals: ${spec.totals}(filter: $filter) {
        count amountVnd byStatus { status count amountVnd }
        byPackage { ${packageFields} count amountVnd } byDay { day status count } } }`,
      { filter },
    );
    return data.totals;
  }
  const statuses = f.status ? [f.status] : spec.statuses;
  const tiers = f.ledger === 'oa' ? (f.package ? [f.package] : (spec.packages ?? [])) : [];
  const groups = [
    ...statuses.map((status) => ({ alias: `s_${status}`, filter: { ...filter, status } })),
    ...tiers.map((tier) => ({ alias: `p_${tier}`, filter: { ...filter, tier } })),
  ];
  const counts = await gql<Record<string, { totalCount: number }>>(
    `query ConsoleCounts(${groups.map((g) => `$${g.alias}: ${spec.filterType}`).join(', ')}) {
      ${groups.map((g) => `${g.alias}: ${spec.list}(filter: $${g.alias}, first: 0) { totalCount }`).join('\n')} }`,
    Object.fromEntries(groups.map((g) => [g.alias, g.filter])),
  );
  const n = (alias: string) => counts[alias]?.totalCount ?? 0;
  const byStatus = statuses
    .map((status) => ({ status, count: n(`s_${status}`), amountVnd: null }))
    .filter((s) => s.count > 0);
  return {
    count: byStatus.reduce((sum, s) => sum + s.count, 0),
    amountVnd: null,
    byStatus,
    byPackage: tiers
      .map((tier) => ({ packageCode: tier, count: n(`p_${tier}`), amountVnd: null }))
      .filter((p) => p.count > 0),
    byDay: [],
  };
}

function table(id: string, head: Word, items: Item[], total: Tally) {
  const priced = total.amountVnd !== null;
  const cells = (x: Tally) => [
    h('td', { class: 'num', 'data-count': String(x.count) }, String(x.count)),
    priced
      ? h('td', { class: 'num', 'data-amount': String(x.amountVnd) }, vnd(x.amountVnd ?? 0))
      : null,
  ];
  return h(
    'table',
    { id, class: 'totals' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, t(head)),
        h('th', { class: 'num' }, t('count')),
        priced ? h('th', { class: 'num' }, t('amount')) : null,
      ),
    ),
    h(
      'tbody',
      {},
      ...items.map((i) => h('tr', { 'data-key': i.key }, h('td', {}, i.label), ...cells(i))),
    ),
    h('tfoot', {}, h('tr', {}, h('th', {}, t('all')), ...cells(total))),
  );
}

/** Fills the totals panel for the current filter. */
export async function showTotals(section: HTMLElement): Promise<void> {
  const o = await fetchTotals();
  const byPackage = o.byPackage.map((p) => {
    const key = p.packageCode ?? `${p.serviceId}/${p.packageId}`;
    return { ...p, key, label: key };
  });
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
        o,
      ),
      byPackage.length > 0 ? table('by-package', 'package', byPackage, o) : '',
      o.byDay.length > 0
        ? h('figure', {}, h('figcaption', {}, t('perDay')), dayChart(o.byDay))
        : o.amountVnd === null
          ? h('p', { class: 'help' }, t('noPrices'))
          : '',
    ),
  );
}
