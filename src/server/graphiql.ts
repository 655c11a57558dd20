import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL from the server's own bundled assets: Yoga's default page loads its scripts from a public
 * CDN and stays blank on a closed network. The page is ~9 MB of inlined script, so it is rendered
 * once per distinct set of options instead of on every request.
 */
export function createGraphiQLRenderer(): (options: GraphiQLOptions) => string {
  const pages = new Map<string, string>();
  return (options) => {
    const key = JSON.stringify(options ?? {});
    let page = pages.get(key);
    if (page === undefined) {
      page = renderGraphiQL(options);
      if (pages.size < 8) pages.set(key, page);
    }
    return page;
  };
}
