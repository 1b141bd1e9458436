// How the run page writes an artifact's size and expiry: "1.2 MiB", "2027-03-07 (in 90 days)".
const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"];

export function artifactSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} ${bytes === 1 ? "byte" : "bytes"}` : `${+value.toFixed(1)} ${UNITS[unit]}`;
}

const DAY_MS = 24 * 60 * 60_000;

export function artifactExpiry(expiresAt: string, now: Date): string {
  const left = new Date(expiresAt).getTime() - now.getTime();
  const date = expiresAt.slice(0, 10);
  if (left <= 0) return `expired ${date}`;
  // Rounded: a 5-day artifact a minute old still reads "in 5 days".
  const days = Math.round(left / DAY_MS);
  return `${date} (${days >= 1 ? `in ${days} ${days === 1 ? "day" : "days"}` : "today"})`;
}
