export default function MembersLoading() {
  return (
    <section className="card" aria-busy="true">
      <h1>Members</h1>
      <p className="muted small">Loading the members…</p>
    </section>
  );
}
