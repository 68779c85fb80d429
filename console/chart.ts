import { statusLabel, t } from './i18n.js';

/** One colour per status, the same in the tables' badges (console.css). */
export const STATUS_COLOURS: Record<string, string> = {
  PENDING: '#9ca3af',
  OTP_SENT: '#60a5fa',
  REGISTERING: '#818cf8',
  REGISTERED: '#16a34a',
  SUCCEEDED: '#16a34a',
  ACCEPTED: '#16a34a',
  ANSWERED: '#16a34a',
  SUBMITTED: '#2563eb',
  REJECTED: '#dc2626',
  FAILED: '#dc2626',
  UNKNOWN: '#d97706',
  LOCKED: '#b45309',
  EXPIRED: '#6b7280',
  REFUSED: '#7f1d1d',
};

const SVG = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Records per status per day as stacked bars, inline SVG (no library, nothing fetched): one bar
 * per day, one segment per status, a title on each segment for its exact count, and the legend
 * beside the bars.
 */
export function dayChart(
  byDay: ReadonlyArray<{ day: string; status: string; count: number }>,
): SVGElement {
  const days = [...new Set(byDay.map((d) => d.day))].sort();
  const statuses = [...new Set(byDay.map((d) => d.status))];
  const perDay = new Map<string, number>();
  for (const d of byDay) perDay.set(d.day, (perDay.get(d.day) ?? 0) + d.count);
  const max = Math.max(1, ...perDay.values());
  const bar = 28;
  const gap = 12;
  const height = 160;
  const left = 36;
  const bars = Math.max(120, days.length * (bar + gap));
  const legendX = left + bars + 16;
  const width = legendX + 130;
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height + 40}`,
    width,
    height: height + 40,
    role: 'img',
    'aria-label': t('perDay'),
    class: 'chart',
  });
  svg.append(el('line', { x1: left, y1: 10, x2: left, y2: height + 10, class: 'axis' }));
  svg.append(el('text', { x: left - 4, y: 14, 'text-anchor': 'end', class: 'tick' }, String(max)));
  svg.append(el('text', { x: left - 4, y: height + 10, 'text-anchor': 'end', class: 'tick' }, '0'));
  days.forEach((day, i) => {
    const x = left + gap / 2 + i * (bar + gap);
    let y = height + 10;
    for (const status of statuses) {
      const n = byDay.find((d) => d.day === day && d.status === status)?.count ?? 0;
      if (!n) continue;
      const h = (n / max) * height;
      y -= h;
      const rect = el('rect', {
        x,
        y,
        width: bar,
        height: h,
        fill: STATUS_COLOURS[status] ?? '#999',
        'data-day': day,
        'data-status': status,
        'data-count': n,
      });
      rect.append(el('title', {}, `${day} · ${statusLabel(status)}: ${n}`));
      svg.append(rect);
    }
    svg.append(
      el(
        'text',
        { x: x + bar / 2, y: height + 24, 'text-anchor': 'middle', class: 'tick' },
        day.slice(5),
      ),
    );
  });
  statuses.forEach((status, i) => {
    const y = 18 + i * 16;
    svg.append(
      el('rect', {
        x: legendX,
        y: y - 9,
        width: 10,
        height: 10,
        fill: STATUS_COLOURS[status] ?? '#999',
      }),
    );
    svg.append(el('text', { x: legendX + 14, y, class: 'tick' }, statusLabel(status)));
  });
  return svg;
}
