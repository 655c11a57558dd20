// First: V8 settings that must precede any WebAssembly compilation.
import './v8-flags.js';
import type { App } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  console.error(`statuschecker: invalid configuration\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
const { config } = loaded;
const logger = createLogger(config.log.level);

/**
 * A signal that arrives within this window of the first is the same request delivered twice (Ctrl+C
 * reaches both `npm start` and node, and npm forwards its copy); a later one means "exit now".
 */
const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;
/** Aborted by a signal during start-up: the start-up stops at its next safe point and undoes itself. */
const startup = new AbortController();
let app: App | undefined;
let signalledAt = 0;

// In place before anything else runs, so that a stop during start-up (initdb, migrations) is clean.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalledAt) {
      if (Date.now() - signalledAt < DUPLICATE_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalledAt = Date.now();
    logger.info({ signal, starting: !app }, 'shutdown requested');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    if (!app) {
      startup.abort();
      return;
    }
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

logger.info({ database: config.database.url ? 'postgresql' : 'embedded' }, 'starting');

try {
  // Loaded after the handlers. The database opens (PGlite's WASM compiles off the main thread)
  // while the rest of the app's modules load, which alone take a noticeable part of the start-up.
  const { openMigratedDatabase } = await import('./app-database.js');
  const database = openMigratedDatabase(config, logger, startup.signal);
  database.catch(() => undefined); // awaited by createApp below; not an unhandled rejection meanwhile
  const { createApp } = await import('./app.js');
  const created = await createApp({ config, logger, signal: startup.signal, database });
  if (startup.signal.aborted) {
    await created.stop();
    startup.signal.throwIfAborted();
  }
  app = created;
  await app.listen();
} catch (err) {
  if (startup.signal.aborted) {
    logger.info('start-up stopped before listening: nothing left half done');
    process.exit(0);
  }
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
}
