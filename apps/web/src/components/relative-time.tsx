"use client";
// "4 s ago" that keeps moving: rendered on the server against the server's clock, then advanced in the browser every
// few seconds (every second in the first minute), with the exact time in the title and dateTime.
import { useEffect, useState } from "react";
import { ago } from "./status";

const stepMs = (ageMs: number) => (ageMs < 60_000 ? 1_000 : ageMs < 3_600_000 ? 15_000 : 60_000);

export function RelativeTime({ iso, renderedAt }: { iso: string; renderedAt: string }) {
  const [now, setNow] = useState(() => new Date(renderedAt));
  useEffect(() => {
    const tick = () => setNow(new Date());
    tick();
    let timer = setTimeout(function again() {
      tick();
      timer = setTimeout(again, stepMs(Date.now() - new Date(iso).getTime()));
    }, stepMs(Date.now() - new Date(iso).getTime()));
    return () => clearTimeout(timer);
  }, [iso]);
  return (
    <time dateTime={iso} title={new Date(iso).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")} suppressHydrationWarning>
      {ago(iso, now)}
    </time>
  );
}
