export { until, type UntilOptions } from "./until";
export { manualClock, type ManualClock } from "./manual-clock";
export { testRedis, TEST_REDIS_URL, type TestRedis } from "./redis";
