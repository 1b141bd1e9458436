// The forms a secret may take in a log, each masked like the value itself (DESIGN.md invariant 8): the raw value and
// each line of a multi-line value; for each of those, its base64 (standard and URL-safe) at the 3 byte alignments,
// URL-encoded (%20 and +), JSON-escaped, and hex (matched without case: lower, upper or mixed).

// Shorter encoded fragments would match ordinary text; the raw value is still masked whatever its length.
const MIN_ENCODED = 6;

/** The base64 characters that come from the value alone, at each of the 3 offsets it can start at in a longer stream. */
export function base64Fragments(value: string): string[] {
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

const toBase64Url = (base64: string) => base64.replaceAll("+", "-").replaceAll("/", "_");

/** The raw value and each non-blank line of it: the strings whose encodings are masked too. */
export function maskedPieces(value: string): string[] {
  const out = new Set<string>([value]);
  for (const line of value.split(/\r?\n/)) if (line.trim() !== "") out.add(line);
  return [...out];
}

/** Every base64 form (standard and URL-safe) of the value and of its lines: what may be wrapped across lines. */
export function base64Forms(value: string): string[] {
  const out = new Set<string>();
  for (const piece of maskedPieces(value)) {
    for (const fragment of base64Fragments(piece)) {
      out.add(fragment);
      out.add(toBase64Url(fragment));
    }
  }
  return [...out];
}

/** The hex of the value and of its lines, in lower case (matched without case). */
export function hexForms(value: string): string[] {
  return maskedPieces(value)
    .map((piece) => Buffer.from(piece).toString("hex"))
    .filter((hex) => hex.length >= MIN_ENCODED);
}

/** Every form matched exactly within a line: raw, base64, URL-encoded and JSON-escaped. */
export function maskedForms(value: string): string[] {
  const out = new Set<string>(base64Forms(value));
  for (const piece of maskedPieces(value)) {
    out.add(piece);
    const url = encodeURIComponent(piece);
    out.add(url);
    // An HTML form (application/x-www-form-urlencoded) writes a space as +.
    out.add(url.replaceAll("%20", "+"));
    out.add(JSON.stringify(piece).slice(1, -1));
  }
  return [...out].filter((form) => form.length > 0);
}
