// Tick positions and their labels, chosen together so that every label is distinct and as
// short as the step allows (matplotlib's MaxNLocator/ScalarFormatter and AutoDateLocator/
// ConciseDateFormatter ideas). Vega's own labelling formats ticks it picked with a format
// picked apart from them: months on two-week ticks ("2024-01, 2024-01, 2024-02") and
// magnitudes written out in full ("120,000,000,000,000") that then collide and are dropped.
import { tickStep } from './scale.ts';

export interface Ticks {
  /** Tick positions, ascending (numbers; dates as epoch ms of UTC-naive timestamps). */
  values: number[];
  /** One label a tick, all different. */
  labels: string[];
  /**
   * What the labels leave out, for the axis title: a common factor ("×1e13") or the date
   * every tick shares ("2024-01-01"); '' when none.
   */
  note: string;
}

export interface TickOptions {
  /** Ticks wanted at most (default 8 for numbers, 10 for dates). */
  count?: number;
  /** Smallest step (counts: 1, so no tick falls between whole numbers). */
  minStep?: number;
  /**
   * Room along the axis, in characters of label text (each label also takes 2 of gap);
   * fewer ticks are chosen until the labels fit. Unbounded by default (a vertical axis).
   */
  room?: number;
}

const fits = (labels: string[], room: number): boolean => labels.reduce((n, l) => n + l.length + 2, 0) <= room;

// ── numbers ─────────────────────────────────────────────────────────────────────────────

/**
 * At most `count` + 2 ticks (windows are rounded to ~`count` steps, ends included) at multiples of 1, 2 or 5 × 10ⁿ inside [lo, hi]. When the
 * labels would need more than OFFSET_DIGITS significant digits (a narrow range far from
 * zero: 1e9 to 1e9 + 0.001), they count from an offset given in the note, as matplotlib's
 * "+1e9".
 */
export function numericTicks(lo: number, hi: number, opts: TickOptions = {}): Ticks {
  const room = opts.room ?? Infinity;
  const most = opts.count ?? 8;
  if (!(hi > lo)) return numberLabels([lo], 0);
  let best: Ticks | undefined;
  for (let count = most; count >= 1; count--) {
    const step = Math.max(tickStep(lo, hi, count), opts.minStep ?? 0);
    // Rounding the quotients keeps 0.1 + 0.2 style drift from adding or losing an end tick.
    const first = Math.ceil(round(lo / step));
    const last = Math.floor(round(hi / step));
    if (last - first + 1 > most + 2) continue;
    const values: number[] = [];
    for (let k = first; k <= last; k++) values.push(clean(k * step));
    best = numberLabels(values.length > 0 ? values : [lo], step);
    if (fits(best.labels, room)) break;
  }
  return best ?? numberLabels([lo, hi], hi - lo);
}

/** Significant digits a label may need before the labels count from an offset. */
const OFFSET_DIGITS = 7;

/**
 * Labels with as many decimals as the step needs, so ticks one step apart never round to
 * the same text. Very large or small magnitudes are written as mantissas with the power of
 * ten in the note (as matplotlib's "1e13" at the end of the axis).
 */
function numberLabels(values: number[], step: number): Ticks {
  const stepPower = step > 0 ? Math.floor(round(Math.log10(step))) : decimalsOf(values[0]);
  const largest = Math.max(...values.map(Math.abs));
  if (largest > 0 && Math.log10(largest) - stepPower >= OFFSET_DIGITS && values.length > 1) {
    // The offset: the middle of the ticks rounded to ten times their spread, so that the
    // labels stay short whichever side of it they fall.
    const unit = 10 ** (Math.ceil(Math.log10(values[values.length - 1] - values[0]) + 1e-9) + 1);
    const offset = Math.round((values[0] + values[values.length - 1]) / 2 / unit) * unit;
    const rest = numberLabels(values.map((v) => v - offset), step);
    const sign = offset < 0 ? '−' : '+';
    return { values, labels: rest.labels, note: [rest.note, `${sign}${Number(Math.abs(offset).toPrecision(15))}`].filter(Boolean).join(' ') };
  }
  const scientific = largest >= 1e6 || (largest > 0 && largest < 1e-3);
  const power = scientific ? Math.floor(round(Math.log10(largest))) : 0;
  const decimals = Math.min(20, Math.max(0, power - stepPower));
  const labels = values.map((v) => {
    const text = (v / 10 ** power).toFixed(decimals);
    // −0.0 is 0.0 (a tick at zero reached from below); a minus sign, not a hyphen, as Vega's and matplotlib's.
    return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text.replace('-', '−');
  });
  return { values, labels, note: scientific ? `×1e${power}` : '' };
}

/** The power of ten of a lone value's last significant digit (its own resolution). */
function decimalsOf(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const [mantissa, exponent] = x.toExponential().split('e');
  const digits = (mantissa.split('.')[1] ?? '').length;
  return Number(exponent) - digits;
}

const round = (x: number): number => Math.round(x * 1e9) / 1e9;
// 15 digits: drift in the 17th goes, ticks close together far from zero stay apart.
const clean = (x: number): number => Number(x.toPrecision(15));

// ── dates ───────────────────────────────────────────────────────────────────────────────

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Lengths used only to rank steps and estimate counts; ticks are placed on the calendar. */
const MONTH = 30.44 * DAY;
const YEAR = 365.25 * DAY;

type Unit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond';

/** Candidate steps, shortest first: each divides the next unit up, so ticks stay on round dates. */
const DATE_STEPS: { unit: Unit; steps: number[]; length: number }[] = [
  { unit: 'millisecond', steps: [1, 2, 5, 10, 20, 50, 100, 200, 500], length: 1 },
  { unit: 'second', steps: [1, 2, 5, 10, 15, 30], length: SECOND },
  { unit: 'minute', steps: [1, 2, 5, 10, 15, 30], length: MINUTE },
  { unit: 'hour', steps: [1, 2, 3, 4, 6, 12], length: HOUR },
  // Days restart at the 1st of each month (1, 8, 15, 22), as matplotlib's bymonthday.
  { unit: 'day', steps: [1, 2, 3, 7, 14], length: DAY },
  { unit: 'month', steps: [1, 2, 3, 4, 6], length: MONTH },
];

/**
 * Ticks of a date axis over [lo, hi] (epoch ms): the shortest calendar step (years, months,
 * days, hours, minutes, seconds, milliseconds) that gives at most `count` ticks whose labels
 * fit in `room`. Labels show the step's unit and whatever coarser part varies between ticks;
 * the part every tick shares goes to the note (like ConciseDateFormatter's offset).
 */
export function dateTicks(lo: number, hi: number, opts: TickOptions = {}): Ticks {
  const count = opts.count ?? 10;
  const room = opts.room ?? Infinity;
  if (!(hi > lo)) return { values: [lo], labels: [fullLabel(lo)], note: '' };
  for (const { unit, steps, length } of DATE_STEPS) {
    for (const step of steps) {
      // Skip steps that plainly give too many ticks before placing any.
      if ((hi - lo) / (step * length) > count + 1) continue;
      const values = placeDates(lo, hi, unit, step);
      if (values.length > count || values.length === 0) continue;
      const ticks = dateLabels(values, unit);
      if (fits(ticks.labels, room) || values.length === 1) return ticks;
    }
  }
  const yearSpan = (hi - lo) / YEAR;
  for (let n = Math.min(count, Math.ceil(yearSpan) + 1); n >= 2; n--) {
    const step = Math.max(1, tickStep(0, yearSpan, n));
    const values = placeDates(lo, hi, 'year', step);
    if (values.length > count || values.length === 0) continue;
    const ticks = dateLabels(values, 'year');
    if (fits(ticks.labels, room)) return ticks;
  }
  // Nothing round inside (a window narrower than a year, crossing no January): its ends.
  return dateLabels([lo, hi], 'millisecond');
}

/** Every round date of the unit and step inside [lo, hi]. */
function placeDates(lo: number, hi: number, unit: Unit, step: number): number[] {
  const out: number[] = [];
  const start = new Date(lo);
  if (unit === 'year' || unit === 'month') {
    // Months counted from year 0, so steps of 2, 3, 4, 6 months start in January.
    const perStep = unit === 'year' ? 12 * step : step;
    let m = Math.floor((start.getUTCFullYear() * 12 + start.getUTCMonth()) / perStep) * perStep;
    for (let t = monthStart(m); t <= hi; m += perStep, t = monthStart(m)) if (t >= lo) out.push(t);
  } else if (unit === 'day') {
    let m = start.getUTCFullYear() * 12 + start.getUTCMonth();
    for (let first = monthStart(m); first <= hi; first = monthStart(++m)) {
      const next = monthStart(m + 1);
      for (let t = first; t < next; t += step * DAY) {
        // The last tick of a month would crowd the 1st of the next (29, then 1).
        if (t !== first && next - t < (step * DAY) / 2) break;
        if (t >= lo && t <= hi) out.push(t);
      }
    }
  } else {
    // Hours, minutes, seconds and milliseconds divide a day: multiples of the step since
    // the epoch fall on round times of every day.
    const every = step * DATE_STEPS.find((s) => s.unit === unit)!.length;
    for (let t = Math.ceil(lo / every) * every; t <= hi; t += every) out.push(t);
  }
  return out;
}

/** Epoch ms of the 1st of month m (months since January of year 0). */
const monthStart = (m: number): number => {
  const d = new Date(0);
  d.setUTCFullYear(Math.floor(m / 12), m - 12 * Math.floor(m / 12), 1);
  return d.getTime();
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Parts {
  year: string;
  month: string;
  day: string;
  /** "Mar 5" */
  monthDay: string;
  hm: string;
  s: string;
  ms: string;
}

function partsOf(t: number): Parts {
  const d = new Date(t);
  const two = (n: number): string => String(n).padStart(2, '0');
  const y = d.getUTCFullYear();
  return {
    year: y >= 0 && y <= 9999 ? String(y) : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0'),
    month: two(d.getUTCMonth() + 1),
    day: two(d.getUTCDate()),
    monthDay: `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`,
    hm: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`,
    s: two(d.getUTCSeconds()),
    ms: String(d.getUTCMilliseconds()).padStart(3, '0'),
  };
}

const isoDate = (p: Parts): string => `${p.year}-${p.month}-${p.day}`;

/** Date and time down to the finest part that is not zero. */
function fullLabel(t: number): string {
  const p = partsOf(t);
  if (p.ms !== '000') return `${isoDate(p)} ${p.hm}:${p.s}.${p.ms}`;
  if (p.s !== '00') return `${isoDate(p)} ${p.hm}:${p.s}`;
  if (p.hm !== '00:00') return `${isoDate(p)} ${p.hm}`;
  return isoDate(p);
}

function dateLabels(values: number[], unit: Unit): Ticks {
  const parts = values.map(partsOf);
  const same = (key: (p: Parts) => string): boolean => parts.every((p) => key(p) === key(parts[0]));
  const sameYear = same((p) => p.year);
  const sameDay = same(isoDate);
  let labels: string[];
  let note = '';
  switch (unit) {
    case 'year':
      labels = parts.map((p) => p.year);
      break;
    case 'month':
      labels = parts.map((p) => `${p.year}-${p.month}`);
      break;
    case 'day':
      labels = parts.map((p) => (sameYear ? p.monthDay : isoDate(p)));
      if (sameYear) note = parts[0].year;
      break;
    default: {
      // Times of day; the date in front of each only when the ticks cross midnight.
      const time = (p: Parts): string => (unit === 'hour' || unit === 'minute' ? p.hm : unit === 'second' ? `${p.hm}:${p.s}` : `${p.hm}:${p.s}.${p.ms}`);
      if (sameDay) {
        labels = parts.map(time);
        note = isoDate(parts[0]);
      } else if (sameYear) {
        labels = parts.map((p) => `${p.monthDay} ${time(p)}`);
        note = parts[0].year;
      } else {
        labels = parts.map((p) => `${isoDate(p)} ${time(p)}`);
      }
    }
  }
  return { values, labels, note };
}
