import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** dist/web, beside dist/server where this module is compiled to (`npm run build` writes both). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

/** Paths the single-page app never answers, so their own 404s and routes stay theirs. */
const RESERVED = [
  /^\/graphql(\/|$)/,
  /^\/metrics$/,
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/status\//,
  /^\/badge\//,
  /^\/push\//,
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The dashboard may only talk to this server: no script, style, font or socket from elsewhere.
 * uPlot sizes its canvas through element.style, which CSP does not govern.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface WebAssets {
  /** True when it answered the request (an asset, or the app's page for a client route). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
}

/**
 * The built dashboard, read into memory once (it is small): Vite's hashed files under /assets/ are
 * cached for a year, everything else (index.html above all) is revalidated on every load so a new
 * build shows at once. A GET for HTML on any other unreserved path gets index.html: the app routes
 * on the client. Without a build, `/` says how to make one instead of a bare 404.
 */
export function createWebAssets(dir: string = DEFAULT_WEB_DIR): WebAssets {
  const assets = loadAssets(dir);
  const index = assets.get('/index.html');
  return {
    handle(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (RESERVED.some((pattern) => pattern.test(pathname))) return false;
      const asset = assets.get(pathname === '/' ? '/index.html' : pathname);
      if (asset) return send(req, res, asset);
      if (pathname.startsWith('/assets/')) return false;
      if (!(req.headers.accept ?? '').includes('text/html')) return false;
      if (index) return send(req, res, index);
      if (pathname !== '/') return false;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('The dashboard is not built: run `npm run build` (GraphQL is at /graphql).\n');
      return true;
    },
  };
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const file of walk(dir)) {
    const urlPath = `/${path.relative(dir, file).split(path.sep).join('/')}`;
    const body = readFileSync(file);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512;
    assets.set(urlPath, {
      body,
      gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cacheControl: urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return assets;
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else yield full;
  }
}

function send(req: IncomingMessage, res: ServerResponse, asset: Asset): true {
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': asset.cacheControl,
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (asset.type.startsWith('text/html')) {
    headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    headers['referrer-policy'] = 'no-referrer';
  }
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzip! : asset.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
