import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard, built into dist/web, which the server serves at / (src/server/web-assets.ts).
 * Preact through Vite's own JSX transform (no Babel preset); one entry, chunks split by Rollup.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } } },
});
