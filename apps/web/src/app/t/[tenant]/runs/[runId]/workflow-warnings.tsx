// The run page's list of validation warnings (script injection, …) the workflow and the workflows it calls had at
// intake: `file:line:col` where to look, the message, and the rule that found it. Nothing when there are none.
interface Warning {
  file: string;
  line: number;
  col: number;
  code: string;
  message: string;
}

export function WorkflowWarnings({ warnings }: { warnings: readonly Warning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section className="card" data-testid="run-warnings">
      <div className="card-head">
        <h2>Workflow warnings</h2>
        <span className="muted small">{warnings.length}</span>
      </div>
      <ul className="warnings">
        {warnings.map((warning) => (
          <li key={`${warning.file}:${warning.line}:${warning.col}:${warning.code}:${warning.message}`}>
            <code>
              {warning.file}:{warning.line}:{warning.col}
            </code>{" "}
            {warning.message} <span className="muted small">[{warning.code}]</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
