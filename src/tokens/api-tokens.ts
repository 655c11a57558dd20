import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { NotFoundError } from '../registry/errors.js';
import { checkLength, checkWellFormed, fail, validateLabels } from '../registry/validation.js';
import { uuidv7 } from '../uuidv7.js';
import { newSecret, parseToken, secretMatches } from './token-secret.js';

export const TOKEN_SCOPES = ['READ', 'WRITE', 'ADMIN'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Each scope includes the ones before it: WRITE may read, ADMIN may write. */
export function scopeRank(scope: TokenScope | null): number {
  return scope === null ? -1 : TOKEN_SCOPES.indexOf(scope);
}

export function highestScope(scopes: readonly string[]): TokenScope | null {
  let best: TokenScope | null = null;
  for (const scope of scopes) {
    if ((TOKEN_SCOPES as readonly string[]).includes(scope) && scopeRank(scope as TokenScope) > scopeRank(best)) {
      best = scope as TokenScope;
    }
  }
  return best;
}

/** Uses of a token are written this often at most (lastUsedAt), never once per request. */
export const LAST_USED_FLUSH_MS = 30_000;
/** Every process reads the tokens again this often, in case news of a revocation was lost. */
export const RELOAD_EVERY_MS = 60_000;
const LIMITS = { nameLength: { min: 1, max: 100 } };

export interface ApiTokenRow {
  id: string;
  name: string;
  scopes: TokenScope[];
  labels: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiToken {
  name: string;
  scopes: readonly string[];
  labels?: readonly string[] | null;
  expiresAt?: Date | null;
}

export type TokenCheck = { ok: true; token: ApiTokenRow } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** What other processes are told, and tell this one: a token was made or revoked. */
export interface TokenChange {
  tokenId: string;
  kind: 'created' | 'revoked';
}

export interface ApiTokens {
  /** The token itself is in the answer and nowhere else, ever. */
  create(input: NewApiToken): Promise<{ token: string; row: ApiTokenRow }>;
  /** Refused at once by this process; by the others as soon as they hear of it. Idempotent. */
  revoke(id: string): Promise<ApiTokenRow>;
  /** Every token, revoked ones too, newest first (read from the database, with this process's recent uses). */
  list(): Promise<ApiTokenRow[]>;
  get(id: string): Promise<ApiTokenRow | null>;
  /** Null when `presented` is not shaped like one of these tokens; from memory, or one read for a new one. */
  check(presented: string): TokenCheck | Promise<TokenCheck> | null;
  /** True once any token was made here: from then on every request needs one. */
  readonly exist: boolean;
  /** Called with the id of every token revoked, here or elsewhere. */
  onRevoked(listener: (tokenId: string) => void): () => void;
  /** News from another process. */
  changedElsewhere(change: TokenChange): Promise<void>;
  /** Reads every token again (after events from other processes may have been lost). */
  reload(): Promise<void>;
  /** Keeps lastUsedAt written and the tokens re-read (load them first with `reload`). */
  start(): void;
  stop(): Promise<void>;
}

export interface ApiTokensOptions {
  prisma: PrismaClient;
  logger: Logger;
  now?: () => Date;
  /** Tells the other processes (the event bus). */
  announce?: (change: TokenChange) => void;
}

interface Stored {
  row: ApiTokenRow;
  salt: Uint8Array;
  hash: Uint8Array;
}

type DbRow = Omit<ApiTokenRow, 'scopes'> & { scopes: string[]; salt: Uint8Array; hash: Uint8Array };

function stored(row: DbRow): Stored {
  const { salt, hash, ...rest } = row;
  return {
    row: { ...rest, scopes: rest.scopes.filter((s): s is TokenScope => highestScope([s]) !== null) },
    salt,
    hash,
  };
}

function validate(input: NewApiToken, now: Date) {
  const name = input.name.trim();
  checkLength('name', name, LIMITS.nameLength);
  checkWellFormed('name', name);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\x00-\x1f\x7f]/.test(name)) fail('name', 'must not contain control characters');
  if (input.scopes.length === 0) fail('scopes', 'give at least one of READ, WRITE, ADMIN');
  const scopes = [...new Set(input.scopes)];
  scopes.forEach((scope, i) => {
    if (highestScope([scope]) === null) fail(`scopes[${i}]`, 'must be READ, WRITE or ADMIN');
  });
  const labels = validateLabels([...(input.labels ?? [])]);
  // A token limited to labels could otherwise make one that is not.
  if (labels.length > 0 && highestScope(scopes) === 'ADMIN') {
    fail('labels', 'an ADMIN token manages every service and every token: it cannot be limited to labels');
  }
  if (input.expiresAt && !(input.expiresAt.getTime() > now.getTime())) fail('expiresAt', 'must be in the future');
  return { name, scopes: scopes as TokenScope[], labels, expiresAt: input.expiresAt ?? null };
}

export function createApiTokens({ prisma, logger, now = () => new Date(), announce }: ApiTokensOptions): ApiTokens {
  const log = logger.child({ component: 'tokens' });
  const byId = new Map<string, Stored>();
  const loading = new Map<string, Promise<Stored | null>>();
  const revokedListeners = new Set<(tokenId: string) => void>();
  /** Uses since the last write, per token. */
  const usedAt = new Map<string, Date>();
  let flushTimer: NodeJS.Timeout | null = null;
  let reloadTimer: NodeJS.Timeout | null = null;

  const withUse = (row: ApiTokenRow): ApiTokenRow => {
    const used = usedAt.get(row.id);
    return used && (!row.lastUsedAt || used > row.lastUsedAt) ? { ...row, lastUsedAt: used } : row;
  };

  /** Keeps what was read; tells the listeners of a revocation they had not heard of. */
  const remember = (entry: Stored) => {
    const before = byId.get(entry.row.id);
    byId.set(entry.row.id, entry);
    if (entry.row.revokedAt && !before?.row.revokedAt) {
      for (const listener of [...revokedListeners]) {
        try {
          listener(entry.row.id);
        } catch (err) {
          log.error({ err, tokenId: entry.row.id }, 'token revocation listener failed');
        }
      }
    }
  };

  const load = (id: string): Promise<Stored | null> => {
    let pending = loading.get(id);
    if (!pending) {
      pending = prisma.apiToken
        .findUnique({ where: { id } })
        .then((row) => {
          if (!row) return null;
          const entry = stored(row);
          remember(entry);
          return entry;
        })
        .finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  };

  const verdict = (entry: Stored | null | undefined, secret: string): TokenCheck => {
    if (!entry || !secretMatches(secret, entry.salt, entry.hash)) return { ok: false, reason: 'unknown' };
    if (entry.row.revokedAt) return { ok: false, reason: 'revoked' };
    const at = now();
    if (entry.row.expiresAt && entry.row.expiresAt <= at) return { ok: false, reason: 'expired' };
    usedAt.set(entry.row.id, at);
    return { ok: true, token: entry.row };
  };

  const flushUses = async () => {
    if (usedAt.size === 0) return;
    const uses = [...usedAt];
    usedAt.clear();
    try {
      // One statement for every token used since the last write; never moves lastUsedAt back
      // (another replica may have written a later use).
      await prisma.$executeRawUnsafe(
        `UPDATE "ApiToken" AS t SET "lastUsedAt" = GREATEST(COALESCE(t."lastUsedAt", u.at), u.at)
         FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at) WHERE t.id = u.id`,
        uses.map(([id]) => id),
        uses.map(([, at]) => at),
      );
      for (const [id, at] of uses) {
        const entry = byId.get(id);
        if (entry && (!entry.row.lastUsedAt || entry.row.lastUsedAt < at)) entry.row = { ...entry.row, lastUsedAt: at };
      }
    } catch (err) {
      for (const [id, at] of uses) if (!usedAt.has(id)) usedAt.set(id, at);
      log.warn({ err, tokens: uses.length }, 'could not record token uses; will try again');
    }
  };

  const reload = async () => {
    const rows = await prisma.apiToken.findMany();
    for (const row of rows) remember(stored(row));
  };

  return {
    async create(input) {
      const at = now();
      const valid = validate(input, at);
      const id = uuidv7(at.getTime());
      const secret = newSecret(id);
      try {
        const row = await prisma.apiToken.create({
          data: { id, ...valid, salt: new Uint8Array(secret.salt), hash: new Uint8Array(secret.hash), createdAt: at },
        });
        const entry = stored(row);
        remember(entry);
        announce?.({ tokenId: id, kind: 'created' });
        log.info({ tokenId: id, name: valid.name, scopes: valid.scopes, labels: valid.labels }, 'token created');
        return { token: secret.token, row: entry.row };
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') fail('name', `a token named "${valid.name}" already exists`);
        throw err;
      }
    },

    async revoke(id) {
      const current = await prisma.apiToken.findUnique({ where: { id } });
      if (!current) throw new NotFoundError(`no token with id ${JSON.stringify(id)}`);
      if (current.revokedAt) return withUse(stored(current).row);
      const row = await prisma.apiToken.update({ where: { id }, data: { revokedAt: now() } });
      const entry = stored(row);
      remember(entry);
      announce?.({ tokenId: id, kind: 'revoked' });
      log.info({ tokenId: id, name: row.name }, 'token revoked');
      return withUse(entry.row);
    },

    async list() {
      const rows = await prisma.apiToken.findMany({ orderBy: { id: 'desc' } });
      return rows.map((row) => withUse(stored(row).row));
    },

    async get(id) {
      const row = await prisma.apiToken.findUnique({ where: { id } });
      return row ? withUse(stored(row).row) : null;
    },

    check(presented) {
      const parsed = parseToken(presented);
      if (!parsed) return null;
      const known = byId.get(parsed.id);
      // Made on another replica a moment ago: read once (however many requests ask at once).
      if (!known) return load(parsed.id).then((entry) => verdict(entry, parsed.secret));
      return verdict(known, parsed.secret);
    },

    get exist() {
      return byId.size > 0;
    },

    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },

    async changedElsewhere(change) {
      await load(change.tokenId);
    },

    reload,

    start() {
      flushTimer = setInterval(() => void flushUses(), LAST_USED_FLUSH_MS);
      flushTimer.unref();
      reloadTimer = setInterval(
        () => void reload().catch((err: unknown) => log.warn({ err }, 'could not read the tokens again')),
        RELOAD_EVERY_MS,
      );
      reloadTimer.unref();
    },

    async stop() {
      if (flushTimer) clearInterval(flushTimer);
      if (reloadTimer) clearInterval(reloadTimer);
      flushTimer = reloadTimer = null;
      await flushUses();
    },
  };
}
