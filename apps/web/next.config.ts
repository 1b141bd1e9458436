import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages ship TypeScript sources (package `exports` point at src/), so Next compiles them.
  transpilePackages: [
    "@gantry/db",
    "@gantry/github",
    "@gantry/jobs",
    "@gantry/runner-protocol",
    "@gantry/scheduler",
    "@gantry/storage",
    "@gantry/workflow-schema",
  ],
  // Loaded by Node at run time instead of bundled: the Prisma runtime (its query compiler is WASM it
  // imports dynamically), the pg driver and its adapter, ioredis, and the archive libraries of artifact downloads.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "ioredis", "bullmq", "archiver", "tar"],
  // forbidden() and forbidden.tsx: a settings page the caller's role may not open answers 403 with the reason
  // (app/t/[tenant]/settings-access.ts). Experimental in Next 16; it is the App Router's only way to a 403 page.
  experimental: { authInterrupts: true },
  // No `x-powered-by: Next.js` on responses.
  poweredByHeader: false,
  // Baseline browser hardening for every response (the dashboard is never meant to be framed).
  headers: async () => [
    {
      source: "/:path*",
      headers: [
        { key: "X-Frame-Options", value: "DENY" },
        { key: "X-Content-Type-Options", value: "nosniff" },
        { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
      ],
    },
  ],
};

export default config;
