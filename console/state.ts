import { emptyFilter, type Ledger, vietnamDay } from '../src/server/console-ledgers.js';

/** A row of a ledger as its page query answers it. */
export type Row = Record<string, unknown> & { id: string; status: string };

/** What the page shows: the ledger and its filter, where in its pages, and the record opened. */
export const state = {
  filter: { ...emptyFilter('orders'), from: vietnamDay(), to: vietnamDay() },
  /** `after` of each page seen so far: page i is read after cursors[i]. */
  cursors: [null] as Array<string | null>,
  page: 0,
  selected: null as Row | null,
};

/** Another ledger, keeping the days and the client (the filters they share). */
export function switchLedger(ledger: Ledger): void {
  const { from, to, client } = state.filter;
  state.filter = { ...emptyFilter(ledger), from, to, client };
  firstPage();
}

export function firstPage(): void {
  state.cursors = [null];
  state.page = 0;
  state.selected = null;
}

let loads = 0;
let pending = 0;

/**
 * Marks a load (or an action) begun or ended. The body's `data-busy` is set while any runs and
 * `data-loads` counts the moments none is left, so a test, or a screen reader, waits for the
 * page rather than for time.
 */
export function busy(on: boolean): void {
  pending += on ? 1 : -1;
  if (pending > 0) document.body.dataset.busy = '1';
  else {
    delete document.body.dataset.busy;
    document.body.dataset.loads = String(++loads);
  }
}

/** Runs `work` as one load (see `busy`). */
export async function busyWhile<T>(work: () => Promise<T>): Promise<T> {
  busy(true);
  try {
    return await work();
  } finally {
    busy(false);
  }
}
