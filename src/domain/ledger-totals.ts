/**
 * Totals of a ledger filter for reconciliation (per status, per package, per day and status),
 * folded from the store's tally per UTC hour: the store groups by hour, status and package, at
 * most 24 rows a day per status and package whatever the volume, so a month's totals are a few
 * thousand rows; days are then Vietnam days. Pure.
 */

/** Vietnam has no daylight saving: its day is UTC+7 all year. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** One group of the store's tally: its records created in one UTC hour (`yyyy-MM-ddTHH`). */
export interface TallyRow<S extends string> {
  hour: string;
  status: S;
  /** What the ledger sells: a package code, or a VAS service and package. */
  packageKey: string;
  count: number;
  /** The VND of these records, summed (0 where no price is known). */
  amountVnd: number;
}

export interface Tally {
  count: number;
  amountVnd: number;
}

export interface LedgerTotals<S extends string> extends Tally {
  /** In the order of the ledger's statuses; statuses without records left out. */
  byStatus: Array<Tally & { status: S }>;
  /** Sorted by package key. */
  byPackage: Array<Tally & { packageKey: string }>;
  /** Oldest day first, then in the order of the ledger's statuses. */
  byDay: Array<{ day: string; status: S; count: number }>;
}

export function noTotals<S extends string>(): LedgerTotals<S> {
  return { count: 0, amountVnd: 0, byStatus: [], byPackage: [], byDay: [] };
}

/** The Vietnam day (`yyyy-MM-dd`) of a UTC hour written `yyyy-MM-ddTHH`. */
export function vietnamDayOfHour(utcHour: string): string {
  return new Date(Date.parse(`${utcHour}:00:00Z`) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

function add<K>(map: Map<K, Tally>, key: K, count: number, amountVnd: number) {
  const t = map.get(key) ?? { count: 0, amountVnd: 0 };
  t.count += count;
  t.amountVnd += amountVnd;
  map.set(key, t);
}

/** Folds a tally into totals; `statuses` orders them (the ledger's own order). */
export function foldTotals<S extends string>(
  rows: ReadonlyArray<TallyRow<S>>,
  statuses: readonly S[],
): LedgerTotals<S> {
  const byStatus = new Map<S, Tally>();
  const byPackage = new Map<string, Tally>();
  const byDay = new Map<string, Map<S, number>>();
  const totals = noTotals<S>();
  for (const r of rows) {
    totals.count += r.count;
    totals.amountVnd += r.amountVnd;
    add(byStatus, r.status, r.count, r.amountVnd);
    add(byPackage, r.packageKey, r.count, r.amountVnd);
    const day = vietnamDayOfHour(r.hour);
    const counts = byDay.get(day) ?? new Map<S, number>();
    counts.set(r.status, (counts.get(r.status) ?? 0) + r.count);
    byDay.set(day, counts);
  }
  totals.byStatus = statuses
    .filter((s) => byStatus.has(s))
    .map((status) => ({ status, ...byStatus.get(status)! }));
  totals.byPackage = [...byPackage.keys()]
    .sort()
    .map((packageKey) => ({ packageKey, ...byPackage.get(packageKey)! }));
  totals.byDay = [...byDay.keys()].sort().flatMap((day) => {
    const counts = byDay.get(day)!;
    return statuses
      .filter((s) => counts.has(s))
      .map((status) => ({
        day,
        status,
        count: counts.get(status)!,
      }));
  });
  return totals;
}
