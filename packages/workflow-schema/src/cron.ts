/** A parsed 5-field cron expression: the allowed values of each field. */
export interface Cron {
  minute: number[];
  hour: number[];
  dom: number[];
  month: number[];
  dow: number[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELDS: { name: string; min: number; max: number; names?: string[]; nameBase?: number }[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: "day of week", min: 0, max: 6, names: DAYS, nameBase: 0 },
];

export type CronResult = { ok: true; cron: Cron } | { ok: false; message: string };

/** POSIX cron as GitHub accepts it: 5 fields, `*`, lists, ranges, steps, month and day names. */
export function parseCron(expr: string): CronResult {
  const parts = expr.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 5) return { ok: false, message: `expected exactly 5 fields, found ${parts.length}: [${parts.join(" ")}]` };
  const out: number[][] = [];
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i]!;
    const r = parseField(parts[i]!, f);
    if (typeof r === "string") return { ok: false, message: `${f.name} field "${parts[i]}": ${r}` };
    out.push(r);
  }
  return { ok: true, cron: { minute: out[0]!, hour: out[1]!, dom: out[2]!, month: out[3]!, dow: out[4]!.map((d) => d % 7) } };
}

function parseField(s: string, f: (typeof FIELDS)[number]): number[] | string {
  const max = f.name === "day of week" ? 7 : f.max;
  const set = new Set<number>();
  for (const item of s.split(",")) {
    if (item === "") return "empty list item";
    const [rangePart, stepPart, extra] = item.split("/");
    if (extra !== undefined) return `invalid step "${item}"`;
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) === 0) return `invalid step "${stepPart}"`;
      step = Number(stepPart);
    }
    let lo: number;
    let hi: number;
    if (rangePart === "*") {
      lo = f.min;
      hi = f.max;
    } else {
      const [a, b, more] = (rangePart ?? "").split("-");
      if (more !== undefined) return `invalid range "${rangePart}"`;
      const va = value(a ?? "", f, max);
      if (typeof va === "string") return va;
      lo = va;
      if (b !== undefined) {
        const vb = value(b, f, max);
        if (typeof vb === "string") return vb;
        hi = vb;
        if (hi < lo) return `range start ${lo} is larger than end ${hi}`;
      } else hi = stepPart !== undefined ? f.max : lo;
    }
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return [...set].sort((a, b) => a - b);
}

function value(s: string, f: (typeof FIELDS)[number], max: number): number | string {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < f.min || n > max) return `value ${n} out of range ${f.min}-${f.max}`;
    return n;
  }
  const idx = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (idx >= 0) return idx + (f.nameBase ?? 0);
  return `invalid value "${s}"`;
}

/** Shortest gap between two runs in seconds, looking at minute and hour fields (what GitHub limits). */
export function shortestIntervalSeconds(c: Cron): number {
  const times: number[] = [];
  for (const h of c.hour) for (const m of c.minute) times.push(h * 60 + m);
  times.sort((a, b) => a - b);
  let best = 24 * 60;
  for (let i = 1; i < times.length; i++) best = Math.min(best, times[i]! - times[i - 1]!);
  if (times.length > 0) best = Math.min(best, times[0]! + 24 * 60 - times[times.length - 1]!);
  return best * 60;
}
