import { isIP } from 'node:net';
import { z } from 'zod';
import { SERVICE_METRICS_DETAIL, type ServiceMetricsDetail } from './metrics/service-series.js';
import { invalidCidrs, type TargetPolicySettings } from './policy/target-policy.js';

/** Defaults, named so the README and the code say the same thing. */
export const DEFAULTS = {
  port: 4000,
  host: '127.0.0.1',
  dataDir: './data',
  logLevel: 'info',
  shutdownTimeoutMs: 10_000,
  checkConcurrency: 512,
  historyRetentionDays: 90,
  leaseTtlMs: 3_000,
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const MIN_TOKEN_LENGTH = 16;
const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

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
  REDIS_CHANNEL_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits and . _ : - only (1–64)')
    .default('statuschecker:'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default(DEFAULTS.logLevel),
  NODE_ENV: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(DEFAULTS.shutdownTimeoutMs),
  CHECK_CONCURRENCY: integer(1, 100_000).default(DEFAULTS.checkConcurrency),
  CHECK_KEEP_ALIVE: boolean(true),
  SCHEDULER_ENABLED: boolean(true),
  HISTORY_RETENTION_DAYS: integer(1, 3650).default(DEFAULTS.historyRetentionDays),
  SLA_UNREACHABLE_IS_DOWN: boolean(true),
  API_TOKENS: list.refine((tokens) => tokens.every((t) => t.length >= MIN_TOKEN_LENGTH && !/\s/.test(t)), {
    message: `every token must be at least ${MIN_TOKEN_LENGTH} characters with no spaces (comma-separated)`,
  }),
  PUBLIC_READ: boolean(false),
  ALLOW_UNAUTHENTICATED: boolean(false),
  METRICS_PER_SERVICE: z
    .enum(SERVICE_METRICS_DETAIL, { message: `must be ${SERVICE_METRICS_DETAIL.join(' or ')}` })
    .default('full'),
  METRICS_TOKEN: z.string().min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters`).optional(),
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits and . _ : - only')
    .optional(),
  LEASE_TTL_MS: integer(1_000, 300_000).optional(),
  TARGET_POLICY: z.enum(['allow-all', 'public-only']).default('allow-all'),
  TARGET_ALLOW_CIDRS: list,
  TARGET_DENY_CIDRS: list,
  SECRETS_KEY: z
    .string()
    .refine((v) => secretsKeyBytes(v) !== null, 'must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)')
    .optional(),
  CONFIG_FILE: z.string().min(1).optional(),
  CONFIG_FILE_MODE: z.enum(['strict', 'merge'], { message: 'must be strict or merge' }).default('strict'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
});

/** Every environment variable the server reads. */
export const SETTINGS: readonly string[] = Object.keys(environmentSchema.shape);

export type Config = Readonly<{
  server: Readonly<{ host: string; port: number }>;
  database: Readonly<{ url: string | undefined; dataDir: string }>;
  redis: Readonly<{ url: string | undefined; channelPrefix: string }>;
  log: Readonly<{ level: (typeof LOG_LEVELS)[number] }>;
  checks: Readonly<{ concurrency: number; keepAlive: boolean; schedulerEnabled: boolean }>;
  auth: Readonly<{ tokens: readonly string[]; publicRead: boolean; metricsToken: string | undefined }>;
  targetPolicy: Readonly<TargetPolicySettings>;
  /** Replicas (PostgreSQL only): this process's id and how long a lease lasts without renewal. */
  cluster: Readonly<{ replicaId: string | undefined; leaseTtlMs: number }>;
  /** `unreachableIsDown`: UNREACHABLE time spends the service's own SLA budget, as DOWN does. */
  history: Readonly<{ retentionDays: number; unreachableIsDown: boolean }>;
  /** Notification channel secrets are sealed with this key (null: stored as given, see README). */
  notify: Readonly<{ secretsKey: Buffer | null; publicUrl: string | undefined }>;
  production: boolean;
  /** What a resolver does with a Prisma query it planned and never used: fail under test, warn in development. */
  graphql: Readonly<{ unusedQuery: 'error' | 'warn' | null }>;
  /**
   * Config as code: the file applied at start-up and on every change (undefined: none), whether API
   * mutations may change what it manages (merge) or not (strict), and the environment `${VAR}`
   * references in documents are read from.
   */
  configFile: Readonly<{ path: string | undefined; mode: 'strict' | 'merge'; env: Readonly<Record<string, string>> }>;
  /** What /metrics shows of each service. */
  metrics: Readonly<{ perService: ServiceMetricsDetail }>;
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
  const problems = [
    ...invalidCidrs(e.TARGET_ALLOW_CIDRS).map((p) => `TARGET_ALLOW_CIDRS: ${p}`),
    ...invalidCidrs(e.TARGET_DENY_CIDRS).map((p) => `TARGET_DENY_CIDRS: ${p}`),
  ];
  if (!e.DATABASE_URL) {
    // The embedded database lives inside one process: nothing that implies replicas makes sense.
    const replicaSettings = [
      e.REDIS_URL !== undefined && 'REDIS_URL (events between replicas)',
      e.REPLICA_ID !== undefined && 'REPLICA_ID',
      e.LEASE_TTL_MS !== undefined && 'LEASE_TTL_MS',
    ].filter(Boolean);
    for (const setting of replicaSettings) {
      problems.push(
        `${setting}: replicas need a shared PostgreSQL (DATABASE_URL); the embedded database serves one process`,
      );
    }
  }
  if (!isLoopback(e.HOST) && e.API_TOKENS.length === 0 && !e.ALLOW_UNAUTHENTICATED) {
    problems.push(
      `HOST: ${e.HOST} accepts connections from other machines, but API_TOKENS is not set: ` +
        'set API_TOKENS, or set ALLOW_UNAUTHENTICATED=true to run without authentication on purpose',
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: Object.freeze({
      server: Object.freeze({ host: e.HOST, port: e.PORT }),
      database: Object.freeze({ url: e.DATABASE_URL, dataDir: e.DATA_DIR }),
      redis: Object.freeze({ url: e.REDIS_URL, channelPrefix: e.REDIS_CHANNEL_PREFIX }),
      log: Object.freeze({ level: e.LOG_LEVEL }),
      checks: Object.freeze({
        concurrency: e.CHECK_CONCURRENCY,
        keepAlive: e.CHECK_KEEP_ALIVE,
        schedulerEnabled: e.SCHEDULER_ENABLED,
      }),
      history: Object.freeze({
        retentionDays: e.HISTORY_RETENTION_DAYS,
        unreachableIsDown: e.SLA_UNREACHABLE_IS_DOWN,
      }),
      notify: Object.freeze({
        secretsKey: e.SECRETS_KEY ? secretsKeyBytes(e.SECRETS_KEY) : null,
        publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
      }),
      auth: Object.freeze({
        tokens: Object.freeze(e.API_TOKENS),
        publicRead: e.PUBLIC_READ,
        metricsToken: e.METRICS_TOKEN,
      }),
      targetPolicy: Object.freeze({ mode: e.TARGET_POLICY, allow: e.TARGET_ALLOW_CIDRS, deny: e.TARGET_DENY_CIDRS }),
      cluster: Object.freeze({ replicaId: e.REPLICA_ID, leaseTtlMs: e.LEASE_TTL_MS ?? DEFAULTS.leaseTtlMs }),
      production: e.NODE_ENV === 'production',
      graphql: Object.freeze({
        unusedQuery: e.NODE_ENV === 'production' ? null : e.NODE_ENV === 'test' ? 'error' : 'warn',
      }),
      metrics: Object.freeze({ perService: e.METRICS_PER_SERVICE }),
      configFile: Object.freeze({
        path: e.CONFIG_FILE,
        mode: e.CONFIG_FILE_MODE,
        env: Object.freeze(definedValues(env)),
      }),
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    }),
  };
}

/** SECRETS_KEY as its 32 bytes: 64 hex digits, or base64 of 32 bytes; null when it is neither. */
function secretsKeyBytes(value: string): Buffer | null {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : null;
}

/** Addresses that only this machine can reach. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The environment as `${VAR}` references see it: a variable set to "" is set. */
function definedValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** `PORT=` in a shell or compose file means "not set", not "set to nothing". */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}
