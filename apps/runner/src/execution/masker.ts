// Redacts secrets and `::add-mask::` values from log text before it leaves the runner (DESIGN.md
// invariant 8): the raw value, its base64 at each of the 3 byte alignments, URL- and JSON-escaped forms,
// and each line of a multi-line value.

export const MASK = "***";
// Shorter base64 fragments would match ordinary text; the raw value is still masked.
const MIN_ENCODED = 6;

function base64Variants(value: string): string[] {
  const bytes = Buffer.from(value);
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString("base64");
    // Keep only the characters whose 6 bits all come from the value, not from neighbours.
    const start = Math.ceil((8 * pad) / 6);
    const end = Math.floor((8 * (pad + bytes.length)) / 6);
    const fragment = encoded.slice(start, end);
    if (fragment.length >= MIN_ENCODED) out.push(fragment);
  }
  return out;
}

function forms(value: string): string[] {
  const out = new Set<string>([value]);
  for (const line of value.split(/\r?\n/)) if (line.trim() !== "") out.add(line);
  for (const candidate of [...out]) {
    for (const b of base64Variants(candidate)) out.add(b);
    out.add(encodeURIComponent(candidate));
    out.add(JSON.stringify(candidate).slice(1, -1));
  }
  return [...out].filter((f) => f.length > 0);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class Masker {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;
  private longest = 0;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string): void {
    if (value.trim() === "" || this.values.has(value)) return;
    this.values.add(value);
    const all = new Set<string>();
    for (const v of this.values) for (const f of forms(v)) all.add(f);
    // Longest first so a value is not left half-masked by one of its own lines.
    const sorted = [...all].sort((a, b) => b.length - a.length);
    this.longest = sorted[0]?.length ?? 0;
    this.pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }

  /** The longest masked form: text this long at the end of a chunk may be the start of a secret. */
  get maxLength(): number {
    return this.longest;
  }

  mask(text: string): string {
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }
}
