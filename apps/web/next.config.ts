import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript sources (package `exports` point at src/), so Next compiles them.
  transpilePackages: ["@gantry/db", "@gantry/runner-protocol", "@gantry/workflow-schema"],
  // Loaded by Node at run time instead of bundled: the Prisma runtime (its query compiler is WASM it
  // imports dynamically), the pg driver and its adapter, and ioredis.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "ioredis"],
  // No `x-powered-by: Next.js` on responses.
  poweredByHeader: false,
};

export default config;
