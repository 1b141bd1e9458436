import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUser } from "../../server/auth";
import { githubSignInClient } from "../../server/github/sign-in";
import { safeLocalPath } from "../../server/navigation/local-path";
import { getServices } from "../../server/services";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";


// next-auth redirects here with ?error=<code> when a provider sign-in fails.
const ERRORS: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  OAuthSignin: "Could not start GitHub sign-in. Try again.",
  OAuthCallback: "GitHub sign-in did not complete. Try again.",
  AccessDenied: "Access denied.",
  SessionRequired: "Sign in to see that page.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // Only a path on this site: a callbackUrl must not send people to another one.
  const callbackUrl = safeLocalPath(params.callbackUrl);
  if (await getSessionUser()) redirect(callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : null;
  const initialError = errorCode ? (ERRORS[errorCode] ?? (errorCode.startsWith("Too many failed sign-ins") ? errorCode : "Sign-in failed. Try again.")) : null;
  return (
    <main id="main" tabIndex={-1} className="centered">
      <div className="card narrow">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Gantry
        </div>
        <h1>Sign in</h1>
        <SignInForm
          callbackUrl={callbackUrl}
          initialError={initialError}
          github={githubSignInClient(getServices().env, getServices().githubApp.current()) !== null}
        />
      </div>
      <p className="muted small">
        <a href="/health">System health</a>
      </p>
    </main>
  );
}
