import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "web",
    environment: "node",
    include: ["test/**/*.test.ts"],
    // Integration tests use a fresh Postgres database per file; the e2e file builds and starts Next.
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
