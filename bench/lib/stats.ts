// The figures every benchmark prints: percentiles rounded to a tenth of a millisecond, and the load average beside
// them (timings on this 2-core machine move with whatever else runs).
import os from "node:os";

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};
export const round = (ms: number) => Math.round(ms * 10) / 10;
export const stat = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) });
export const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);
