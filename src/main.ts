import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  console.error(`statuschecker: invalid configuration\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
const { config } = loaded;
const logger = createLogger(config.log.level);

let app: Awaited<ReturnType<typeof createApp>>;
try {
  app = await createApp({ config, logger });
  await app.listen();
} catch (err) {
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
}

/**
 * A signal that arrives within this window of the first is the same request delivered twice (Ctrl+C
 * reaches both `npm start` and node, and npm forwards its copy); a later one means "exit now".
 */
const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;
let signalledAt = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalledAt) {
      if (Date.now() - signalledAt < DUPLICATE_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalledAt = Date.now();
    logger.info({ signal }, 'shutdown requested');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
