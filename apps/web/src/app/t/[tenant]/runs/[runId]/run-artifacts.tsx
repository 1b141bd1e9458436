// The run page's artifacts: name (a download link: a fresh signed URL to the zip each click), size, expiry, digest
// and the job attempt that uploaded it; maintainers and admins get Delete. Nothing when the run has none.
import type { SessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { ArtifactDeleteButton } from "./artifact-delete-button";
import { artifactExpiry, artifactSize } from "./artifact-size";
import { jobHref } from "./load-run";

export async function RunArtifacts({ session, tenant, runId }: { session: SessionUser; tenant: string; runId: string }) {
  const { artifacts, canDelete } = await serverCaller(session).artifacts.list({ tenant, runId });
  if (artifacts.length === 0) return null;
  const now = new Date();
  return (
    <section className="card" data-testid="run-artifacts" aria-labelledby="run-artifacts-title">
      <div className="card-head">
        <h2 id="run-artifacts-title">Artifacts</h2>
        <span className="muted small">{artifacts.length}</span>
      </div>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>Expires</th>
            <th>Digest</th>
            <th>Uploaded by</th>
            {canDelete && <th>Actions</th>}
          </tr>
        </thead>
        <tbody>
          {artifacts.map((artifact) => (
            <tr key={artifact.name} data-testid={`artifact-${artifact.name}`}>
              <td>
                {artifact.expired ? (
                  artifact.name
                ) : (
                  <a href={`/api/t/${tenant}/runs/${runId}/artifacts/${encodeURIComponent(artifact.name)}`} download={`${artifact.name}.zip`} data-testid="artifact-download">
                    {artifact.name}
                  </a>
                )}
              </td>
              <td data-testid="artifact-size" title={`${artifact.sizeBytes} bytes`}>
                {artifactSize(artifact.sizeBytes)}
              </td>
              <td data-testid="artifact-expiry">
                <time dateTime={artifact.expiresAt}>{artifactExpiry(artifact.expiresAt, now)}</time>
              </td>
              <td>
                <code title={artifact.digest} data-testid="artifact-digest">
                  {artifact.digest.slice(0, 19)}…
                </code>
              </td>
              <td className="small">
                {artifact.uploadedBy ? (
                  <>
                    <a href={jobHref(tenant, runId, artifact.uploadedBy.jobKey)}>{artifact.uploadedBy.jobKey}</a> <span className="muted">attempt {artifact.uploadedBy.attempt}</span>
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              {canDelete && (
                <td>
                  <ArtifactDeleteButton tenant={tenant} runId={runId} name={artifact.name} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
