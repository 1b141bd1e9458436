"use client";
// The top navigation's links with the current one marked for everyone: aria-current="page" on the link to this very
// page, aria-current="true" on the section it belongs to (a run page is under Runs), and the same look for both.
import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavEntry {
  href: string;
  label: string;
  /** Only this exact path is this entry (the overview, whose path starts every tenant page's). */
  exact?: boolean;
}

/** The entry the path belongs to: the exact one, else the longest section that contains it. */
export function currentEntry(entries: readonly NavEntry[], pathname: string): { entry: NavEntry; exact: boolean } | null {
  const exact = entries.find((entry) => entry.href === pathname);
  if (exact) return { entry: exact, exact: true };
  const sections = entries.filter((entry) => !entry.exact && pathname.startsWith(`${entry.href}/`)).sort((a, b) => b.href.length - a.href.length);
  return sections[0] ? { entry: sections[0], exact: false } : null;
}

export function NavLinks({ entries, label }: { entries: NavEntry[]; label: string }) {
  const pathname = usePathname();
  const current = currentEntry(entries, pathname);
  return (
    <nav className="nav" aria-label={label}>
      {entries.map((entry) => (
        <Link key={entry.href} href={entry.href} aria-current={current?.entry === entry ? (current.exact ? "page" : "true") : undefined}>
          {entry.label}
        </Link>
      ))}
    </nav>
  );
}
