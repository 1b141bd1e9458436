import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

// Each page names itself ("CI #12 · acme/app", "Runner pools · Settings"); the template adds the product. The tab
// icon is app/icon.svg (Next's icon file convention links it from every page).
export const metadata: Metadata = {
  title: { default: "Gantry", template: "%s · Gantry" },
  description: "Self-hosted CI/CD",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {/* The first stop for keyboard users: past the navigation to the page's own content (every page's <main id="main">). */}
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        {children}
      </body>
    </html>
  );
}
