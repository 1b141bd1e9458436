import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "sources", environment: "node", include: ["test/**/*.test.ts"], testTimeout: 30_000 },
});
