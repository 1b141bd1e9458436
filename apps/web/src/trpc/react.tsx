"use client";
// The browser side of tRPC (create-t3-turbo style): one QueryClient per browser tab, a batching HTTP link to
// /api/trpc, and `useTRPC()` for typed query options.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type ReactNode } from "react";
import type { AppRouter } from "../server/routers/_app";

export type RouterOutputs = inferRouterOutputs<AppRouter>;

const trpcContext = createTRPCContext<AppRouter>();
export const useTRPC = trpcContext.useTRPC;

function makeQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, refetchOnWindowFocus: true } } });
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc" })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <trpcContext.TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </trpcContext.TRPCProvider>
    </QueryClientProvider>
  );
}
