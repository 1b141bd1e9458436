export { until, type UntilOptions } from "./until";
