import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cli",
    environment: "node",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // @actions/workflow-parser (under `gantry validate`) imports JSON without import attributes; let Vite transform it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
