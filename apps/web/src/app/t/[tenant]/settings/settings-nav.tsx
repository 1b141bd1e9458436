"use client";
// The settings area's navigation; the current page is marked for screen readers (aria-current). Other areas
// (members, variables, API tokens, audit) slot in as further entries.
import Link from "next/link";
import { usePathname } from "next/navigation";

export function SettingsNav({ tenant, entries }: { tenant: string; entries: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav className="settings-nav card" aria-label="Settings">
      <ul>
        {entries.map((entry) => {
          const href = `/t/${tenant}/settings${entry.href}`;
          return (
            <li key={entry.href}>
              <Link href={href} aria-current={pathname === href ? "page" : undefined}>
                {entry.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
