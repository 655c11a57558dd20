import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL from the server's own bundled assets: Yoga's default page loads its scripts from a public
 * CDN and stays blank on a closed network. The bundle is ~9 MB of inlined script: it is loaded on
 * the first page view (a replica that never serves GraphiQL never parses it), and each distinct set
 * of options is rendered once instead of on every request.
 */
export function createGraphiQLRenderer(): (options: GraphiQLOptions) => Promise<string> {
  const pages = new Map<string, string>();
  return async (options) => {
    const key = JSON.stringify(options ?? {});
    let page = pages.get(key);
    if (page === undefined) {
      const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
      page = renderGraphiQL(options);
      if (pages.size < 8) pages.set(key, page);
    }
    return page;
  };
}
