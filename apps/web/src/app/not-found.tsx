export default function NotFound() {
  return (
    <main className="centered">
      <div className="card narrow">
        <h1>Not found</h1>
        <p className="muted">
          There is nothing at this address. <a href="/">Go to your dashboard</a>.
        </p>
      </div>
    </main>
  );
}
