// Redacts secrets and `::add-mask::` values from log text (DESIGN.md invariant 8): the raw value, its base64 at each
// of the 3 byte alignments, URL- and JSON-escaped forms, and each line of a multi-line value. Shared by both sides of
// the protocol: the runner masks before bytes leave it, and the control plane masks again what it ingests.

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
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined;
  private longest = 0;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string): void {
    if (value.trim() === "" || this.values.has(value)) return;
    this.values.add(value);
    for (const f of forms(value)) {
      this.forms.add(f);
      this.longest = Math.max(this.longest, f.length);
    }
    // Rebuilt on the next mask(): a step printing thousands of ::add-mask:: lines in a row costs one build.
    this.pattern = undefined;
  }

  /** The longest masked form: text this long at the end of a chunk may be the start of a secret. */
  get maxLength(): number {
    return this.longest;
  }

  mask(text: string): string {
    if (this.forms.size === 0) return text;
    // Longest first so a value is not left half-masked by one of its own lines.
    this.pattern ??= new RegExp([...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"), "g");
    return text.replace(this.pattern, MASK);
  }
}
