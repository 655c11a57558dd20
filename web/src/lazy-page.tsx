import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A page loaded on first use, in its own chunk: the dashboard's first render does not wait for
 * the service page, the form or the chart library.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyPage(props: P) {
    const [component, setComponent] = useState(() => loaded);
    const [error, setError] = useState<string>();
    useEffect(() => {
      if (component) return;
      pending ??= load().then((c) => (loaded = c));
      pending.then(
        (c) => setComponent(() => c),
        (err: Error) => {
          pending = undefined;
          setError(err.message);
        },
      );
    }, [component]);
    if (error)
      return (
        <p class="error" role="alert">
          Could not load this page: {error}
        </p>
      );
    if (!component) return <p aria-busy="true">Loading…</p>;
    const Page = component;
    return <Page {...props} />;
  };
}
