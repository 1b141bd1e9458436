// The run page's annotations: the workflow's validation errors and warnings (script injection among them) and what
// steps printed with `::error|warning|notice file=,line=::`, each with its file and line and, for a step's, a link
// to the job whose log printed it. Nothing when there are none.
import type { SessionUser } from "../../../../../server/auth";
import { serverCaller } from "../../../../../server/caller";
import { jobHref } from "./load-run";

const where = (annotation: { file: string | null; line: number | null; col: number | null }) =>
  annotation.file === null ? null : `${annotation.file}${annotation.line !== null ? `:${annotation.line}` : ""}${annotation.line !== null && annotation.col !== null ? `:${annotation.col}` : ""}`;

export async function RunAnnotations({ session, tenant, runId }: { session: SessionUser; tenant: string; runId: string }) {
  const { annotations, counts } = await serverCaller(session).annotations.list({ tenant, runId });
  if (annotations.length === 0) return null;
  const summary = [
    counts.error > 0 ? `${counts.error} ${counts.error === 1 ? "error" : "errors"}` : null,
    counts.warning > 0 ? `${counts.warning} ${counts.warning === 1 ? "warning" : "warnings"}` : null,
    counts.notice > 0 ? `${counts.notice} ${counts.notice === 1 ? "notice" : "notices"}` : null,
  ].filter(Boolean);
  return (
    <section className="card" data-testid="run-annotations" aria-labelledby="run-annotations-title">
      <div className="card-head">
        <h2 id="run-annotations-title">Annotations</h2>
        <span className="muted small">{summary.join(" · ")}</span>
      </div>
      <ul className="annotations run-annotation-list">
        {annotations.map((annotation, index) => {
          const place = where(annotation);
          return (
            <li key={index} className={`annotation annotation-${annotation.level}`} data-testid="run-annotation" data-level={annotation.level} data-source={annotation.source}>
              <strong>{annotation.level}</strong> {place && <code data-testid="annotation-place">{place}</code>} {annotation.title && <em>{annotation.title}: </em>}
              {annotation.message}{" "}
              <span className="muted small">
                {annotation.job ? (
                  <>
                    — <a href={jobHref(tenant, runId, annotation.job.key)}>{annotation.job.key}</a> › {annotation.job.stepName}
                  </>
                ) : (
                  <>— workflow validation [{annotation.code}]</>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
