// Redacts secrets and `::add-mask::` values from log text (DESIGN.md invariant 8) in every form masked-forms.ts
// lists, also where wrapping cuts base64 across lines (wrapped-base64.ts). Shared by both sides of the protocol:
// the runner masks before bytes leave it, and the control plane masks again what it ingests.
import { hexForms, maskedForms } from "./masked-forms";
import { maskJoined, wrappedSegments, wrappedTailStart } from "./wrapped-base64";

export const MASK = "***";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// Longest first, so at any position the longest form wins and a value is not left half-masked by one of its lines.
const alternation = (forms: Set<string>, flags: string) => new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"), flags);

// What a wrapped run is made of: forms with any other character cannot occur in one.
const BASE64_ALPHABET = /^[A-Za-z0-9+/_-]+$/;

interface Patterns {
  /** Raw, base64, URL and JSON forms. */
  exact: RegExp;
  /** The exact forms that can occur in a wrapped run (fewer alternatives: a faster scan of base64 dumps). */
  inRun: RegExp | undefined;
  /**
   * Hex apart, without case: in one alternation with the others it slowed every scan several times (its first
   * characters are common ones); alone it is nearly free.
   */
  hex: RegExp | undefined;
}

export class Masker {
  private readonly values = new Set<string>();
  private readonly forms = new Set<string>();
  private readonly hex = new Set<string>();
  private patterns: Patterns | undefined;
  private longest = 0;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  add(value: string): void {
    if (value.trim() === "" || this.values.has(value)) return;
    this.values.add(value);
    for (const f of maskedForms(value)) {
      this.forms.add(f);
      this.longest = Math.max(this.longest, f.length);
    }
    for (const f of hexForms(value)) {
      this.hex.add(f);
      this.longest = Math.max(this.longest, f.length);
    }
    // Rebuilt on the next mask(): a step printing thousands of ::add-mask:: lines in a row costs one build.
    this.patterns = undefined;
  }

  /** The longest masked form: text this long at the end of a chunk may be the start of a secret. */
  get maxLength(): number {
    return this.longest;
  }

  /**
   * Where the lines that may continue a wrapped base64 secret in the next read begin in `text` (whole lines), or
   * `text.length` when nothing needs holding back.
   */
  heldTailStart(text: string): number {
    return this.forms.size === 0 ? text.length : wrappedTailStart(text);
  }

  mask(text: string): string {
    if (this.forms.size === 0) return text;
    const patterns = (this.patterns ??= this.compile());
    const segments = wrappedSegments(text);
    if (segments.length === 0) return this.maskLines(text, patterns);
    // A wrapped run is searched joined, in place of line by line: each byte is still scanned once per pattern.
    return segments.map((segment) => (segment.wrapped ? maskJoined(segment.text, (joined, lastLine) => this.ranges(joined, lastLine, patterns), MASK) : this.maskLines(segment.text, patterns))).join("");
  }

  private maskLines(text: string, { exact, hex }: Patterns): string {
    // Hex first: it is the longer form, and a raw value made of hex digits must not cut it in two.
    return (hex ? text.replace(hex, MASK) : text).replace(exact, MASK);
  }

  /** Matches in a joined run: base64-alphabet forms throughout, every form on its last line (any text). */
  private ranges(joined: string, lastLine: number, { exact, inRun, hex }: Patterns): (readonly [number, number])[] {
    const at = (offset: number) => (match: RegExpExecArray) => [offset + match.index, offset + match.index + match[0].length] as const;
    const tail = joined.slice(lastLine);
    const found = [...(hex ? [...joined.matchAll(hex)].map(at(0)) : []), ...(inRun ? [...joined.matchAll(inRun)].map(at(0)) : []), ...[...tail.matchAll(exact)].map(at(lastLine))];
    return found.sort((a, b) => a[0] - b[0]);
  }

  private compile(): Patterns {
    const inRun = new Set([...this.forms].filter((form) => BASE64_ALPHABET.test(form)));
    return {
      exact: alternation(this.forms, "g"),
      inRun: inRun.size > 0 ? alternation(inRun, "g") : undefined,
      hex: this.hex.size > 0 ? alternation(this.hex, "gi") : undefined,
    };
  }
}
