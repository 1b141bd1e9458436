import { defineConfig } from "vitest/config";

// One Vitest run over every workspace; each package's own vitest.config.ts sets its environment.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tests/*"],
  },
});
