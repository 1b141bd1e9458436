"use client";
// The browser's clock as an ISO string, advanced every second while `active` (a duration that counts up while
// something runs); the server's rendering time until then, so the first render matches the server's.
import { useEffect, useState } from "react";

export function useTickingClock(active: boolean, renderedAt: string): string {
  const [now, setNow] = useState(renderedAt);
  useEffect(() => {
    if (!active) return;
    setNow(new Date().toISOString());
    const timer = setInterval(() => setNow(new Date().toISOString()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
