'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';

type NavLink = { href: string; label: string; count?: number };
export type NavGroup = { label: string | null; links: NavLink[] };

const navClass =
  'border-b border-slate-200 bg-white lg:sticky lg:top-0 lg:max-h-screen lg:w-56 lg:shrink-0 lg:overflow-y-auto ' +
  'lg:border-b-0 lg:border-r lg:bg-transparent lg:py-6';
const toggleClass =
  'flex min-h-12 w-full items-center justify-between gap-3 px-4 text-left text-sm font-medium text-slate-800 lg:hidden';
// 44 px tall on touch screens (WCAG's target size); the sidebar's rows can be tighter.
const linkClass = 'flex min-h-11 items-center justify-between gap-1.5 rounded-md px-3 text-sm font-medium lg:min-h-9';

const isActive = (pathname: string, href: string) => pathname === href || pathname.startsWith(`${href}/`);

/**
 * Every section, always reachable. From `lg` up a sidebar shows all of them; below it (phones, small tablets) a
 * "Menu" button opens the same list, because a tab strip that scrolls sideways hides half the sections without a hint.
 */
export function MainMenu({ groups }: { groups: NavGroup[] }) {
  const pathname = usePathname();
  // Open on the page it was opened on: choosing a section (a new pathname) closes it without an effect.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const setOpen = (value: boolean) => setOpenOn(value ? pathname : null);
  const panelId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  const current = groups.flatMap((g) => g.links).find((l) => isActive(pathname, l.href));

  // Escape closes it too, and focus in the list it hides goes back to the Menu button rather than to the page's top.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      if (document.getElementById(panelId)?.contains(document.activeElement)) toggle.current?.focus();
      setOpenOn(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, panelId]);

  return (
    <nav aria-label="Main" className={navClass}>
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        className={toggleClass}
      >
        <span>
          Menu
          {current && <span className="font-normal text-slate-600"> · {current.label}</span>}
        </span>
        <span aria-hidden className="text-slate-500">
          {open ? '▴' : '▾'}
        </span>
      </button>
      <div
        id={panelId}
        className={`${open ? 'block' : 'hidden'} border-t border-slate-100 px-2 pb-3 lg:block lg:border-0`}
      >
        {groups.map((group, i) => (
          <MenuGroup key={group.label ?? i} group={group} pathname={pathname} />
        ))}
      </div>
    </nav>
  );
}

function MenuGroup({ group, pathname }: { group: NavGroup; pathname: string }) {
  const headingId = useId();
  return (
    <div className="mt-3 first:mt-2 lg:mt-5 lg:first:mt-0">
      {group.label && (
        <p id={headingId} className="px-3 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
          {group.label}
        </p>
      )}
      <ul aria-labelledby={group.label ? headingId : undefined} className="grid grid-cols-2 gap-1 lg:grid-cols-1">
        {group.links.map((link) => (
          <li key={link.href}>
            <MenuLink link={link} active={isActive(pathname, link.href)} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function MenuLink({ link, active }: { link: NavLink; active: boolean }) {
  const tone = active ? 'bg-brand-50 text-brand-700' : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900';
  return (
    <Link href={link.href} aria-current={active ? 'page' : undefined} className={`${linkClass} ${tone}`}>
      {link.label}
      {!!link.count && (
        <span
          className="rounded-full bg-brand-600 px-1.5 text-xs font-semibold leading-5 text-white"
          data-testid="nav-unread"
        >
          {link.count > 99 ? '99+' : link.count}
          <span className="sr-only"> unread</span>
        </span>
      )}
    </Link>
  );
}
