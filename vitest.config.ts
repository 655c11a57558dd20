import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (index.js) and ESM (index.mjs) without an exports map. Node loads the
    // CommonJS build for every package (Yoga, Pothos); Vite would hand our own sources the .mjs one,
    // and two copies of GraphQLError break `instanceof` checks (Yoga's error masking among them).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Separate processes: each test file owns its PGlite instance (WASM memory) and child servers.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
