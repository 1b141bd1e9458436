// Flat config. The import boundaries below are the architecture's: see docs/architecture.md.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const restrict = (files, patterns, why) => ({
  files,
  rules: {
    "no-restricted-imports": ["error", { patterns: patterns.map((group) => ({ group: [group], message: why })) }],
  },
});

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "packages/db/src/generated/**", "apps/web/next-env.d.ts"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["**/*.mjs", "**/*.js", "**/*.cjs"], languageOptions: { globals: globals.node } },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "TSAsExpression > TSAsExpression > TSUnknownKeyword", message: "No `as unknown as`: parse with zod." },
      ],
    },
  },
  restrict(
    ["packages/workflow-schema/**"],
    ["@gantry/*", "**/apps/**", "**/packages/db/**"],
    "workflow-schema is pure: it imports nothing internal.",
  ),
  restrict(
    ["apps/runner/**"],
    ["@gantry/db", "@gantry/db/*", "@gantry/web", "@gantry/worker", "**/packages/db/**", "**/apps/web/**", "**/apps/worker/**", "ioredis", "bullmq", "pg", "@prisma/*"],
    "The runner is the data plane: it talks to the control plane over HTTP only.",
  ),
  restrict(["apps/worker/**"], ["@gantry/web", "**/apps/web/**", "@gantry/runner", "**/apps/runner/**"], "The worker never imports web or runner."),
  restrict(
    ["packages/jobs/**", "packages/runner-protocol/**"],
    ["@gantry/*", "**/apps/**"],
    "Contract packages import nothing internal.",
  ),
  restrict(["packages/scheduler/**"], ["@gantry/web", "@gantry/worker", "@gantry/runner", "**/apps/**"], "packages/scheduler is below the apps."),
  restrict(["packages/db/**"], ["@gantry/web", "@gantry/worker", "@gantry/runner", "**/apps/**"], "packages/db is below the apps."),
  restrict(["packages/storage/**"], ["@gantry/*", "**/apps/**"], "packages/storage is the object store: it imports nothing internal."),
  restrict(
    ["packages/sources/**"],
    ["@gantry/db", "@gantry/db/*", "@gantry/web", "@gantry/worker", "@gantry/runner", "**/apps/**", "**/packages/db/**"],
    "packages/sources reads git and GitHub contents; it knows no database and no app.",
  ),
);
