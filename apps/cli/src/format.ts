// Human output: aligned columns, times in UTC to the minute, one line per thing.

/** Rows padded into columns (the last column is not padded). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join("  ").trimEnd()).join("\n");
}

/** `2026-12-07T12:30:05.123Z` → `2026-12-07 12:30`. */
export function when(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 16) : "-";
}

/** refs/heads/main → main; refs/tags/v1 → v1. */
export function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}

/** How long from start to end (or to now), `1m 05s`. */
export function duration(startIso: string | null, endIso: string | null, now: Date): string {
  if (!startIso) return "";
  const ms = (endIso ? Date.parse(endIso) : now.getTime()) - Date.parse(startIso);
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
}
