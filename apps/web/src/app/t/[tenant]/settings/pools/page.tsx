import { RelativeTime } from "../../../../../components/relative-time";
import { StatusBadge } from "../../../../../components/status";
import { tenantAccess } from "../../../../../server/navigation/tenant-access";
import { serverCaller } from "../../../../../server/caller";
import { hasRole } from "../../../../../server/roles";
import { getServices } from "../../../../../server/services";
import { RotateTokenButton } from "../../rotate-token-button";
import { CreatePoolForm, DeletePoolButton, EditPoolForm, RunnerButtons, SharedPoolSecretsToggle, type PoolValues } from "./pool-forms";
import { gateSettingsPage } from "../../settings-access";
import { tenantTitle } from "../../../../../server/navigation/tenant-title";

export const generateMetadata = tenantTitle("Runner pools");
export const dynamic = "force-dynamic";

const bytes = (n: number) => (n >= 1024 ** 3 ? `${+(n / 1024 ** 3).toFixed(1)} GiB` : `${+(n / 1024 ** 2).toFixed(1)} MiB`);

/** The tenant's runner pools (its own, editable by admins; shared ones read-only) and their runners. */
export default async function PoolsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant } = await params;
  await gateSettingsPage(tenant, "pools");
  const { session } = await tenantAccess(tenant);
  const caller = serverCaller(session);
  const [pools, memberships] = await Promise.all([caller.runners.list({ tenant }), caller.tenants.list()]);
  const role = memberships.find((membership) => membership.slug === tenant)?.role;
  const isAdmin = Boolean(role && hasRole(role, "ADMIN"));
  const now = new Date();
  const publicUrl = getServices().env.publicUrl;
  return (
    <>
      <section className="card" data-testid="pools-page" aria-labelledby="pools-title">
        <div className="card-head">
          <h1 id="pools-title">Runner pools</h1>
          <span className="muted small">
            Runners register at <code>{publicUrl}</code> with a pool&apos;s token
          </span>
        </div>
        <p className="muted small">
          A job goes to a pool whose labels include all of its <code>runs-on</code> labels: the tenant&apos;s own pools first, then shared pools an operator opened to it.
        </p>
        {pools.length === 0 ? (
          <div className="empty" data-testid="pools-empty">
            <p>No runner pool serves this tenant, so no job can run yet.</p>
            <p className="muted small">{isAdmin ? "Create one below, then start a runner with the token it shows." : "Ask an admin of this tenant to create one."}</p>
          </div>
        ) : null}
        {pools.map((pool) => {
          const values: PoolValues = { name: pool.name, labels: pool.labels, provider: pool.provider.toLowerCase() as PoolValues["provider"], egress: pool.egress.toLowerCase() as PoolValues["egress"], egressAllowlist: pool.egressAllowlist, limits: pool.limits };
          return (
            <article className="pool" key={pool.id} data-testid={`admin-pool-${pool.name}`} aria-labelledby={`pool-${pool.id}`}>
              <div className="pool-head">
                <h2 id={`pool-${pool.id}`}>{pool.name}</h2>
                <span className="badge badge-neutral">{pool.own ? "this tenant's" : pool.shared ? "shared (operator's)" : "other"}</span>
                <span className="labels" aria-label="Labels">
                  {pool.labels.map((label) => (
                    <code key={label} className="label">
                      {label}
                    </code>
                  ))}
                </span>
                <StatusBadge ok={pool.onlineCount > 0}>{`${pool.onlineCount} of ${pool.runners.length} online`}</StatusBadge>
              </div>
              <p className="muted small">
                {pool.provider.toLowerCase()} sandbox · egress {pool.egress.toLowerCase()}
                {pool.egress === "ALLOWLIST" ? ` (${pool.egressAllowlist.join(", ")})` : ""} · {pool.limits.cpus} CPUs · {bytes(pool.limits.memoryBytes)} memory · {pool.limits.pids} processes · {bytes(pool.limits.diskBytes)} disk · jobs up to {pool.limits.maxTimeoutMinutes} min
                {pool.provider === "PROCESS" ? " · no isolation: untrusted runs (fork pull requests) are refused by its runners" : ""}
              </p>
              {pool.shared ? (
                <p className="small">
                  {pool.receivesSecrets ? "Jobs that use this tenant's secrets may run here." : "Jobs that use secrets are not sent here (other tenants' jobs run on these runners too)."}{" "}
                  {isAdmin ? <SharedPoolSecretsToggle tenant={tenant} pool={pool.name} secrets={pool.receivesSecrets} /> : null}
                </p>
              ) : null}
              {pool.runners.length === 0 ? (
                <p className="muted small">No runner has joined yet. Start one with the pool&apos;s registration token{isAdmin && pool.own ? " (rotate it below to get a new one)" : ""}.</p>
              ) : (
                <table>
                  <caption className="muted small">Runners of {pool.name}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Runner</th>
                      <th scope="col">Status</th>
                      <th scope="col">Busy with</th>
                      <th scope="col">Version</th>
                      <th scope="col">Sandboxes it can start</th>
                      <th scope="col">Last seen</th>
                      {isAdmin && pool.own ? <th scope="col">Actions</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {pool.runners.map((runner) => (
                      <tr key={runner.id} data-testid={`runner-${runner.name}`}>
                        <td>{runner.name}</td>
                        <td>
                          <StatusBadge ok={runner.online && runner.status !== "DRAINING"}>{runner.status === "DRAINING" ? "draining" : runner.online ? "online" : "offline"}</StatusBadge>
                        </td>
                        <td>
                          {runner.busyWith.length === 0
                            ? "idle"
                            : runner.busyWith.map((busy, index) =>
                                busy.runId ? (
                                  <a key={busy.runId + index} href={`/t/${tenant}/runs/${busy.runId}`}>
                                    {busy.job}
                                  </a>
                                ) : (
                                  <span key={index}>another tenant&apos;s job</span>
                                ),
                              )}
                        </td>
                        <td>{runner.version}</td>
                        <td>{runner.providers.length > 0 ? runner.providers.map((provider) => provider.toLowerCase()).join(", ") : "none reported"}</td>
                        <td><RelativeTime iso={runner.lastSeenAt} renderedAt={now.toISOString()} /></td>
                        {isAdmin && pool.own ? (
                          <td>
                            <RunnerButtons tenant={tenant} pool={pool.name} runner={runner.name} draining={runner.status === "DRAINING"} />
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {isAdmin && pool.own ? (
                <div className="form-actions">
                  <RotateTokenButton tenant={tenant} pool={pool.name} />
                  <DeletePoolButton tenant={tenant} pool={pool.name} />
                </div>
              ) : null}
              {isAdmin && pool.own ? <EditPoolForm tenant={tenant} pool={values} /> : null}
            </article>
          );
        })}
      </section>
      {isAdmin ? (
        <section className="card">
          <CreatePoolForm tenant={tenant} publicUrl={publicUrl} />
        </section>
      ) : (
        <p className="muted small">Only an admin can create, change or delete runner pools.</p>
      )}
    </>
  );
}
