// A manual run's inputs as people typed them: in the order the workflow declares them (runs.get orders them), values
// as text (no JSON quotes), an empty one said to be empty.
export function RunInputs({ inputs }: { inputs: Record<string, string | number | boolean> }) {
  const entries = Object.entries(inputs);
  if (entries.length === 0) return null;
  return (
    <dl className="run-inputs small" data-testid="run-inputs">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value === "" ? <span className="muted">(empty)</span> : <code>{String(value)}</code>}</dd>
        </div>
      ))}
    </dl>
  );
}
