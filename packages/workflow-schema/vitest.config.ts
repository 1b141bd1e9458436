import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "workflow-schema",
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // @actions/workflow-parser imports JSON without import attributes; let Vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
