// apps/web's lint rules: the repository's (../../eslint.config.js) plus the web app's own boundaries.
// ESLint 10 uses the config nearest to each file, so this one applies to everything under apps/web.
import root from "../../eslint.config.js";

export default [
  ...root,
  { ignores: ["next-env.d.ts", ".next/**"] },
  {
    // Typed env (STYLE.md practice 3): only src/env.ts reads process.env. (src/instrumentation.ts reads
    // NEXT_RUNTIME, a per-bundle constant Next inlines, to keep Node-only code out of the edge bundle.)
    files: ["src/**/*.ts", "src/**/*.tsx"],
    ignores: ["src/env.ts", "src/instrumentation.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read configuration through src/env.ts (webEnv()/parseWebEnv).",
        },
      ],
    },
  },
  {
    // The control plane's web app never imports the worker or the data plane (DESIGN.md, "The split").
    files: ["**/*.ts", "**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "@gantry/worker",
                "@gantry/worker/*",
                "@gantry/runner",
                "@gantry/runner/*",
                "**/apps/worker/**",
                "**/apps/runner/**",
              ],
              message:
                "apps/web may import @gantry/db, @gantry/runner-protocol and @gantry/workflow-schema, never the worker or the runner.",
            },
          ],
        },
      ],
    },
  },
];
