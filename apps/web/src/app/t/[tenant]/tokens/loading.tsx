export default function Loading() {
  return (
    <section className="card" aria-busy="true">
      <h2>API tokens</h2>
      <p className="muted" role="status">
        Loading your tokens…
      </p>
    </section>
  );
}
