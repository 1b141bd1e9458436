import type { Metadata } from "next";
import Link from "next/link";

// Absolute: a nested layout's title template (settings) must not make it "Not found · Settings".
export const metadata: Metadata = { title: { absolute: "Not found · Gantry" } };

/** Any unknown address, a run that does not exist, and a tenant the visitor is not a member of (no probing for names). */
export default function NotFound() {
  return (
    <main id="main" tabIndex={-1} className="centered">
      <div className="card narrow">
        <h1>Not found</h1>
        <p className="muted">
          There is nothing at this address, or you are not a member of the tenant it belongs to. <Link href="/">Go to your dashboard</Link>.
        </p>
      </div>
    </main>
  );
}
