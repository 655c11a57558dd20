import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** The few client routes, on the History API; the server answers every one with index.html. */
export type Route =
  | { page: 'dashboard' }
  | { page: 'new' }
  | { page: 'service'; id: string }
  | { page: 'edit'; id: string }
  | { page: 'missing' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'dashboard' };
  if (pathname === '/services/new') return { page: 'new' };
  const match = /^\/services\/([^/]+)(\/edit)?\/?$/.exec(pathname);
  if (match) {
    const id = decodeURIComponent(match[1]!);
    return match[2] ? { page: 'edit', id } : { page: 'service', id };
  }
  return { page: 'missing' };
}

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
addEventListener('popstate', notify);

export function navigate(href: string, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  notify();
  if (!replace) scrollTo(0, 0);
}

/** The current location; re-renders on navigation. */
export function useLocation(): URL {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return new URL(location.href);
}

export const servicePath = (id: string) => `/services/${encodeURIComponent(id)}`;

type LinkProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children: ComponentChildren };

/** An ordinary link (new tab, copy link work) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
