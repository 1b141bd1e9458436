import type { ReactNode } from "react";

/** A green/red (or grey) pill; the words carry the meaning too, not only the colour. */
export function StatusBadge({
  ok,
  children,
  testId,
}: {
  ok: boolean | null;
  children: ReactNode;
  testId?: string;
}) {
  const tone = ok === null ? "neutral" : ok ? "ok" : "bad";
  return (
    <span className={`badge badge-${tone}`} data-testid={testId}>
      <span className="dot" aria-hidden="true" />
      {children}
    </span>
  );
}

/** "4 s ago", "3 min ago": how long since `iso`, relative to `now`. */
export function ago(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** "42 s", "3 min 5 s", "1 h 2 min": how long from `start` to `end` (ISO times). */
export function duration(start: string, end: string): string {
  const seconds = Math.max(0, Math.round((new Date(end).getTime() - new Date(start).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
