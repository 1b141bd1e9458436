export { until, type UntilOptions } from "./until";
export { manualClock, type ManualClock } from "./manual-clock";
