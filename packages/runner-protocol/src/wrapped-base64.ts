// Base64 as `base64` and MIME print it (76 columns) or openssl and PEM (64), and hex as `xxd -p` prints it (60): a
// secret's encoded form may be cut by a line break anywhere. Such runs of lines are found (cheaply: most logs have none), searched joined, and each match
// masked on every line it touches, so the log keeps its lines.

// Standard and URL-safe alphabets; a line with padding (=) ends its stream. Sticky: tested where a line starts,
// without copying it out.
const FULL_LINE = /[A-Za-z0-9+/_-]{60}(?:[A-Za-z0-9+/_-]{4}(?:[A-Za-z0-9+/_-]{12})?)?\r?(?:\n|$)/y;

/** Whether the line text[start, end) (without its \n) is full-width base64: a wrapped stream may go on after it. */
function fullLine(text: string, start: number, end: number): boolean {
  const width = text.charCodeAt(end - 1) === 13 ? end - 1 - start : end - start;
  if (width !== 60 && width !== 64 && width !== 76) return false;
  FULL_LINE.lastIndex = start;
  return FULL_LINE.test(text) && FULL_LINE.lastIndex >= end;
}

/** A piece of a text; the pieces of a text joined are the text. `wrapped`: full-width lines and the line after. */
export interface Segment {
  text: string;
  wrapped: boolean;
}

/** Full-width lines from where one starts: a whole run in one native scan. */
const FULL_LINES = /(?:[A-Za-z0-9+/_-]{60}(?:[A-Za-z0-9+/_-]{4}(?:[A-Za-z0-9+/_-]{12})?)?\r?\n)+/y;

/** The text cut into wrapped runs and the rest, or [] when it has no run (most logs). */
export function wrappedSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  let copied = 0;
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) break;
    if (!fullLine(text, start, newline)) {
      start = newline + 1;
      continue;
    }
    FULL_LINES.lastIndex = start;
    FULL_LINES.test(text);
    const after = FULL_LINES.lastIndex;
    // The run ends with the line after its full-width lines: the stream's last (or ordinary text, harmless to
    // join); full-width lines up to the end are all of it that is here (a reader holds such lines back).
    const lineEnd = text.indexOf("\n", after);
    const end = after >= text.length ? text.length - 1 : lineEnd < 0 ? text.length : lineEnd;
    if (start > copied) segments.push({ text: text.slice(copied, start), wrapped: false });
    segments.push({ text: text.slice(start, end), wrapped: true });
    copied = end;
    start = end + 1;
  }
  if (segments.length === 0) return segments;
  if (copied < text.length) segments.push({ text: text.slice(copied), wrapped: false });
  return segments;
}

const LINE_BREAK = /\r?\n/g;

/**
 * Masks the ranges `find` gives in the run's lines joined (sorted by start), on every line each touches. `find` also
 * gets where the run's last line starts in the joined text: that line may be any text, the others are base64.
 */
export function maskJoined(run: string, find: (joined: string, lastLine: number) => (readonly [number, number])[], mask: string): string {
  const joined = run.replace(LINE_BREAK, "");
  const ranges = find(joined, joined.length - (run.length - run.lastIndexOf("\n") - 1));
  if (ranges.length === 0) return run;
  const lines = run.split("\n");
  const bodies = lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  let offset = 0;
  return bodies
    .map((body, i) => {
      const start = offset;
      offset += body.length;
      let out = "";
      let at = 0;
      for (const [from, to] of ranges) {
        if (to <= start || from >= offset || to - start <= at) continue;
        const cut = Math.max(from - start, at);
        // Touching or overlapping matches make one mask.
        out += body.slice(at, cut) + (cut > at || !out.endsWith(mask) ? mask : "");
        at = Math.min(to, offset) - start;
      }
      out += body.slice(at);
      return lines[i]?.endsWith("\r") ? `${out}\r` : out;
    })
    .join("\n");
}

/**
 * Where the trailing full-width base64 lines of `text` (whole lines, ending with \n) begin, or `text.length`: a
 * stream reader holds these back until the next read, which may carry the rest of a wrapped secret.
 */
export function wrappedTailStart(text: string): number {
  let start = text.length;
  while (start > 0) {
    const lineStart = text.lastIndexOf("\n", start - 2) + 1;
    if (!fullLine(text, lineStart, start - 1)) break;
    start = lineStart;
  }
  return start;
}
