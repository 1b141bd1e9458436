"use client";
// Shown when a page fails to render (most often: Postgres or Redis is down). The details are in the server
// log; the digest ties this page to that log line.
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main id="main" tabIndex={-1} className="centered">
      <div className="card narrow">
        <h1>Something went wrong</h1>
        <p className="muted">
          This page could not be loaded. <a href="/health">System health</a> shows whether Postgres and Redis
          are up.
        </p>
        {error.digest ? <p className="muted small">Reference: {error.digest}</p> : null}
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
