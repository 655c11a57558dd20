import { z } from 'zod';

/** Defaults, named so the README and the code say the same thing. */
export const DEFAULTS = {
  port: 4000,
  host: '127.0.0.1',
  dataDir: './data',
  logLevel: 'info',
  shutdownTimeoutMs: 10_000,
  checkConcurrency: 512,
  historyRetentionDays: 90,
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const environmentSchema = z.object({
  PORT: integer(0, 65_535).default(DEFAULTS.port),
  HOST: z.string().min(1).default(DEFAULTS.host),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default(DEFAULTS.dataDir),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default(DEFAULTS.logLevel),
  NODE_ENV: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(DEFAULTS.shutdownTimeoutMs),
  CHECK_CONCURRENCY: integer(1, 100_000).default(DEFAULTS.checkConcurrency),
  CHECK_KEEP_ALIVE: boolean(true),
  SCHEDULER_ENABLED: boolean(true),
  HISTORY_RETENTION_DAYS: integer(1, 3650).default(DEFAULTS.historyRetentionDays),
});

export type Config = Readonly<{
  server: Readonly<{ host: string; port: number }>;
  database: Readonly<{ url: string | undefined; dataDir: string }>;
  redis: Readonly<{ url: string | undefined }>;
  log: Readonly<{ level: (typeof LOG_LEVELS)[number] }>;
  checks: Readonly<{ concurrency: number; keepAlive: boolean; schedulerEnabled: boolean }>;
  history: Readonly<{ retentionDays: number }>;
  production: boolean;
  shutdownTimeoutMs: number;
}>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Reads every setting once, reporting every problem rather than the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const parsed = environmentSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return { ok: false, problems };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: Object.freeze({
      server: Object.freeze({ host: e.HOST, port: e.PORT }),
      database: Object.freeze({ url: e.DATABASE_URL, dataDir: e.DATA_DIR }),
      redis: Object.freeze({ url: e.REDIS_URL }),
      log: Object.freeze({ level: e.LOG_LEVEL }),
      checks: Object.freeze({
        concurrency: e.CHECK_CONCURRENCY,
        keepAlive: e.CHECK_KEEP_ALIVE,
        schedulerEnabled: e.SCHEDULER_ENABLED,
      }),
      history: Object.freeze({ retentionDays: e.HISTORY_RETENTION_DAYS }),
      production: e.NODE_ENV === 'production',
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    }),
  };
}

/** `PORT=` in a shell or compose file means "not set", not "set to nothing". */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}
