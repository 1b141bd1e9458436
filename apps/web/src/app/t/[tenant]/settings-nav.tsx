"use client";
// The settings area's navigation; the current page is marked for screen readers and styles (aria-current="page").
import Link from "next/link";
import { usePathname } from "next/navigation";

export function SettingsNav({ entries }: { entries: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav className="settings-nav card" aria-label="Settings">
      <ul>
        {entries.map((entry) => (
          <li key={entry.href}>
            <Link href={entry.href} aria-current={pathname === entry.href ? "page" : undefined}>
              {entry.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
