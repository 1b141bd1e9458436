"use client";
// The runner pools panel: rendered on the server first, then kept current by polling runners.list over
// /api/trpc, so runners appear and go offline without a reload.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ago, StatusBadge } from "../../../components/status";
import { useTRPC, type RouterOutputs } from "../../../trpc/react";
import { RotateTokenButton } from "./rotate-token-button";

type Pools = RouterOutputs["runners"]["list"];

export const RUNNERS_REFRESH_MS = 5_000;

/** "Now", advanced every second on the client so that "last seen" keeps counting. */
function useNow(initial: string): Date {
  const [now, setNow] = useState(() => new Date(initial));
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function RunnerPools({
  tenant,
  initialPools,
  renderedAt,
  canManage,
}: {
  tenant: string;
  initialPools: Pools;
  renderedAt: string;
  /** An admin of the tenant: may rotate its own pools' registration tokens. */
  canManage: boolean;
}) {
  const trpc = useTRPC();
  const { data: pools, isError } = useQuery(
    trpc.runners.list.queryOptions(
      { tenant },
      { initialData: initialPools, refetchInterval: RUNNERS_REFRESH_MS },
    ),
  );
  const now = useNow(renderedAt);

  if (pools.length === 0) {
    return (
      <div className="empty">
        <p>No runner pool serves this tenant.</p>
      </div>
    );
  }
  return (
    <>
      {isError ? (
        <p className="form-error small">Could not refresh the runner list; showing the last known state.</p>
      ) : null}
      {pools.map((pool) => (
        <div className="pool" key={pool.id} data-testid={`pool-${pool.name}`}>
          <div className="pool-head">
            <h3>{pool.name}</h3>
            <span className="muted small">
              {pool.shared ? `shared${pool.receivesSecrets ? ", receives secrets" : ", no secrets"}` : "tenant"} ·{" "}
              {pool.provider.toLowerCase()} · egress{" "}
              {pool.egress.toLowerCase()}
              {pool.egress === "ALLOWLIST" ? `: ${pool.egressAllowlist.join(", ") || "nothing listed"}` : ""}
            </span>
            <span className="muted small" data-testid={`pool-limits-${pool.name}`} title="What every job of this pool runs under">
              {poolLimitsText(pool.limits)}
            </span>
            <span className="labels">
              {pool.labels.map((label) => (
                <code key={label} className="label">
                  {label}
                </code>
              ))}
            </span>
            <StatusBadge
              ok={pool.onlineCount > 0}
            >{`${pool.onlineCount} of ${pool.runners.length} online`}</StatusBadge>
            {canManage && !pool.shared ? <RotateTokenButton tenant={tenant} pool={pool.name} /> : null}
          </div>
          {pool.runners.length === 0 ? (
            <p className="muted small">
              No runner has joined this pool yet. Start one with its registration token.
            </p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Runner</th>
                  <th>Version</th>
                  <th>Capacity</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {pool.runners.map((runner) => (
                  <tr key={runner.id}>
                    <td>
                      <StatusBadge ok={runner.online}>{runner.name}</StatusBadge>
                    </td>
                    <td>{runner.version}</td>
                    <td>{runner.capacity}</td>
                    <td suppressHydrationWarning>{ago(runner.lastSeenAt, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </>
  );
}

/** "2 CPUs · 4 GiB memory · 1024 processes · 10 GiB disk · 360 min": what every job of the pool runs under. */
function poolLimitsText(limits: { cpus: number; memoryBytes: number; pids: number; diskBytes: number; maxTimeoutMinutes: number }): string {
  const bytes = (n: number) => (n >= 1024 ** 3 ? `${+(n / 1024 ** 3).toFixed(1)} GiB` : `${+(n / 1024 ** 2).toFixed(1)} MiB`);
  return [`${limits.cpus} CPU${limits.cpus === 1 ? "" : "s"}`, `${bytes(limits.memoryBytes)} memory`, `${limits.pids} processes`, `${bytes(limits.diskBytes)} disk`, `${limits.maxTimeoutMinutes} min`].join(" · ");
}
