import { describe, expect, it } from 'vitest';
import { foldTotals, vietnamDayOfHour } from '../../src/domain/ledger-totals.js';

const STATUSES = ['PENDING', 'REGISTERED', 'FAILED'] as const;

describe('ledger totals', () => {
  it('folds UTC hours into Vietnam days (UTC+7): 17:00 UTC is the next day', () => {
    expect(vietnamDayOfHour('2026-03-14T16')).toBe('2026-03-14');
    expect(vietnamDayOfHour('2026-03-14T17')).toBe('2026-03-15');
  });

  it('sums per status (in the ledger’s order), per package and per day and status', () => {
    const totals = foldTotals(
      [
        { hour: '2026-03-14T16', status: 'FAILED', packageKey: 'C120', count: 1, amountVnd: 120 },
        {
          hour: '2026-03-14T02',
          status: 'REGISTERED',
          packageKey: 'C120',
          count: 2,
          amountVnd: 240,
        },
        {
          hour: '2026-03-14T17',
          status: 'REGISTERED',
          packageKey: '3C120',
          count: 1,
          amountVnd: 360,
        },
        {
          hour: '2026-03-14T03',
          status: 'REGISTERED',
          packageKey: 'C120',
          count: 1,
          amountVnd: 120,
        },
      ],
      STATUSES,
    );
    expect(totals).toEqual({
      count: 5,
      amountVnd: 840,
      byStatus: [
        { status: 'REGISTERED', count: 4, amountVnd: 720 },
        { status: 'FAILED', count: 1, amountVnd: 120 },
      ],
      byPackage: [
        { packageKey: '3C120', count: 1, amountVnd: 360 },
        { packageKey: 'C120', count: 4, amountVnd: 480 },
      ],
      byDay: [
        { day: '2026-03-14', status: 'REGISTERED', count: 3 },
        { day: '2026-03-14', status: 'FAILED', count: 1 },
        { day: '2026-03-15', status: 'REGISTERED', count: 1 },
      ],
    });
  });
});
