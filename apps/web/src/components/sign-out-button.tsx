"use client";

import { signOut } from "next-auth/react";

/** `then`: where to go after signing out (default the sign-in page). */
export function SignOutButton({ then = "/signin", label = "Sign out" }: { then?: string; label?: string }) {
  return (
    <button type="button" className="button small" onClick={() => void signOut({ callbackUrl: then })}>
      {label}
    </button>
  );
}
