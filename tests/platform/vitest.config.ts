import { defineProject } from "vitest/config";

// The README's first command, run as a new user would, against a database and Redis of the test's own.
export default defineProject({
  test: { name: "platform", environment: "node", include: ["*.e2e.test.ts"], testTimeout: 600_000, hookTimeout: 600_000 },
});
