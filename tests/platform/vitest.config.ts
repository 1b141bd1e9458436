import { defineProject } from "vitest/config";

// Whole-platform tests: the README's first command as a new user runs it, and the real runner agent against the
// real control-plane code.
export default defineProject({
  test: { name: "platform", environment: "node", include: ["*.test.ts"], testTimeout: 600_000, hookTimeout: 600_000 },
});
