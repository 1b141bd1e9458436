import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "workflow-schema",
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
