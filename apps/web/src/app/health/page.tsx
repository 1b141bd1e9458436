import type { Metadata } from "next";
import { RelativeTime } from "../../components/relative-time";
import { StatusBadge } from "../../components/status";
import { checkHealth, type Probe } from "../../server/health";
import { getServices } from "../../server/services";

export const metadata: Metadata = { title: "Health" };
export const dynamic = "force-dynamic";

function ProbeCard({ name, probe, testId }: { name: string; probe: Probe; testId: string }) {
  return (
    <section className="card" data-testid={testId}>
      <div className="card-head">
        <h2>{name}</h2>
        <StatusBadge ok={probe.ok} testId={`${testId}-status`}>
          {probe.ok ? "OK" : "DOWN"}
        </StatusBadge>
      </div>
      <p className="muted">{probe.ok ? `answered in ${probe.latencyMs} ms` : probe.error}</p>
    </section>
  );
}

/** Public (no sign-in): the page the up-command prints. Refreshes itself every 5 s. */
export default async function HealthPage() {
  const report = await checkHealth(getServices());
  const now = new Date(report.checkedAt);
  const onlineRunners = report.runners.filter((runner) => runner.online).length;
  return (
    <>
      <meta httpEquiv="refresh" content="5" />
      <header className="topbar">
        <a className="brand" href="/">
          <span className="brand-mark" aria-hidden="true" />
          Gantry
        </a>
        <span className="muted small">
          Checked {now.toLocaleTimeString("en-GB", { timeZone: "UTC" })} UTC
        </span>
      </header>
      <main id="main" tabIndex={-1} className="page">
        <div className="page-head">
          <h1>System health</h1>
          <StatusBadge ok={report.status === "ok"} testId="overall-status">
            {report.status === "ok" ? "All core services up" : "Degraded"}
          </StatusBadge>
        </div>
        <div className="grid two">
          <ProbeCard name="Postgres" probe={report.postgres} testId="postgres" />
          <ProbeCard name="Redis" probe={report.redis} testId="redis" />
        </div>

        <section className="card" data-testid="workers">
          <div className="card-head">
            <h2>Workers</h2>
            <StatusBadge ok={report.workers.length > 0}>
              {report.workers.length > 0 ? `${report.workers.length} running` : "none running"}
            </StatusBadge>
          </div>
          {report.workers.length === 0 ? (
            <p className="muted">
              No worker has sent a heartbeat in the last 15 s. Start one with `npm run dev`.
            </p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Worker</th>
                  <th>Host</th>
                  <th>PID</th>
                  <th>Version</th>
                  <th>Queues</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {report.workers.map((worker) => (
                  <tr key={worker.id}>
                    <td>
                      <StatusBadge ok>{worker.id}</StatusBadge>
                    </td>
                    <td>{worker.hostname}</td>
                    <td>{worker.pid}</td>
                    <td>{worker.version}</td>
                    <td>{worker.queues.join(", ") || "—"}</td>
                    <td><RelativeTime iso={worker.startedAt} renderedAt={now.toISOString()} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="card" data-testid="runners">
          <div className="card-head">
            <h2>Runners</h2>
            <StatusBadge
              ok={onlineRunners > 0}
            >{`${onlineRunners} of ${report.runners.length} online`}</StatusBadge>
          </div>
          {report.runners.length === 0 ? (
            <p className="muted">No runner has pinged yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Runner</th>
                  <th>Pool</th>
                  <th>Version</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {report.runners.map((runner) => (
                  <tr key={`${runner.pool}/${runner.name}`}>
                    <td>
                      <StatusBadge ok={runner.online}>{runner.name}</StatusBadge>
                    </td>
                    <td>{runner.pool}</td>
                    <td>{runner.version}</td>
                    <td><RelativeTime iso={runner.lastSeenAt} renderedAt={now.toISOString()} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="card" data-testid="tenant-admins">
          <div className="card-head">
            <h2>Tenant admins</h2>
            <StatusBadge ok={report.tenantsWithoutAdmin.length === 0}>
              {report.tenantsWithoutAdmin.length === 0 ? "every tenant has one" : `${report.tenantsWithoutAdmin.length} without an admin`}
            </StatusBadge>
          </div>
          {report.tenantsWithoutAdmin.length > 0 ? (
            <ul>
              {report.tenantsWithoutAdmin.map((tenant) => (
                <li key={tenant.slug}>{tenant.reason}.</li>
              ))}
            </ul>
          ) : null}
          <p className="muted small" data-testid="github-sign-in">
            {report.githubSignIn === undefined
              ? ""
              : report.githubSignIn.configured
                ? `GitHub sign-in works (through ${report.githubSignIn.from === "app" ? "the GitHub App's OAuth client" : "a separate OAuth app, GITHUB_CLIENT_ID"}).`
                : `${report.githubSignIn.reason}.`}
          </p>
        </section>
      </main>
    </>
  );
}
