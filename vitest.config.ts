import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

const shared = {
  resolve: {
    // graphql 16 ships CommonJS (index.js) and ESM (index.mjs) without an exports map. Node loads the
    // CommonJS build for every package (Yoga, Pothos); Vite would hand our own sources the .mjs one,
    // and two copies of GraphQLError break `instanceof` checks (Yoga's error masking among them).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
};

export default defineConfig({
  ...shared,
  test: {
    // Separate processes: each test file owns its PGlite instance (WASM memory) and child servers.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    projects: [
      // Three tiers, each selectable: `npm run test:unit`, `test:integration`, `test:e2e`.
      // Unit: no database, no network, no process; fake timers wherever time matters.
      { ...shared, extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Integration: the app in-process against a real database and real peers on 127.0.0.1.
      {
        ...shared,
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        ...shared,
        extends: true,
        // End-to-end files start real server processes, several at once, with timing they measure
        // (1 s check intervals, lease TTLs): they run after the others, one file at a time, so
        // that they do not starve each other of the machine's cores.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // The real server process runs from dist/: build it first, as `npm start` does.
          globalSetup: ['test/support/global-setup.ts', 'test/support/build-dist.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
