// A log search hit's line as HTML: every character escaped, each occurrence of a search term (case-insensitive, as
// the search matched it) wrapped in <mark>. Done on the server so the page, the API and the CLI show the same marks.
import { escapeHtml } from "../escape-html";

/** The [start, end) ranges of the terms in `line`, merged where they overlap. */
export function termRanges(line: string, terms: readonly string[]): Array<[number, number]> {
  const lower = line.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (const term of terms) {
    const needle = term.toLowerCase();
    if (needle === "") continue;
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) ranges.push([at, at + needle.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

export function highlightLine(line: string, terms: readonly string[]): string {
  let html = "";
  let at = 0;
  for (const [start, end] of termRanges(line, terms)) {
    html += `${escapeHtml(line.slice(at, start))}<mark>${escapeHtml(line.slice(start, end))}</mark>`;
    at = end;
  }
  return html + escapeHtml(line.slice(at));
}
