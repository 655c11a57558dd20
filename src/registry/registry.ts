import { randomUUID } from 'node:crypto';
import type { CheckDefinition } from '../checks/check-definition.js';
import { Prisma, type PrismaClient, type Service as ServiceRow } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { Assertion } from '../probe/assert/assertion.js';
import type { DnsOptions } from '../probe/dns/options.js';
import type { HeartbeatOptions } from '../probe/heartbeat/schedule.js';
import { parseExpectedStatus } from '../probe/http/expected-status.js';
import type { CheckKind } from '../probe/kinds.js';
import type { TcpOptions } from '../probe/tcp/options.js';
import type { TlsOptions } from '../probe/tls/options.js';
import { channelLinkViolation, channelLinkWrite, type ServiceLinks } from './channel-links.js';
import {
  type DependencyLinks,
  dependencyViolation,
  dependencyWrite,
  dependsOnOf,
  WITH_DEPENDENCIES,
} from './dependency-links.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { type ProtectManaged, refuseIfManaged } from './managed.js';
import { newPushToken, pushPath } from './push-token.js';
import {
  type Header,
  type RegisterInput,
  type ServiceInput,
  tlsOptionsOf,
  type UpdateInput,
  withDefaults,
} from './service-input.js';
import { mergeUpdate, validateService } from './validation.js';

export type { ServiceRow };

/** A service row with the ids of the services it depends on (what the registry returns). */
export type ServiceRecord = Prisma.ServiceGetPayload<{ include: typeof WITH_DEPENDENCIES }>;

export type RegistryChange =
  | { kind: 'registered' | 'updated' | 'paused' | 'resumed'; service: ServiceRecord }
  | { kind: 'unregistered'; service: ServiceRecord };

export type RegistryListener = (change: RegistryChange) => void;

/** The writes of the registry, each validated as a mutation's and announced to the listeners. */
export interface RegistryWrites {
  /** Stores a new service; a HEARTBEAT one gets its push secret, returned here once (only its hash is stored). */
  register(
    input: RegisterInput & ServiceLinks & DependencyLinks,
    marks?: RowMarks,
  ): Promise<ServiceRecord & { pushToken?: string }>;
  update(id: string, patch: UpdateInput & ServiceLinks & DependencyLinks, marks?: RowMarks): Promise<ServiceRecord>;
  unregister(id: string): Promise<ServiceRecord>;
  setPaused(id: string, paused: boolean): Promise<ServiceRecord>;
  /** A new push secret for a HEARTBEAT service (the old one stops working); returned once. */
  rotatePushToken(id: string): Promise<{ service: ServiceRecord; pushToken: string }>;
}

/** Writes inside a caller's transaction: listeners hear of them only on `committed()`, after the commit. */
export interface RegistryBatch extends RegistryWrites {
  committed(): void;
}

/** What config as code records beside a definition (who manages it, the ${VAR} references it was given). */
export interface RowMarks {
  managedBy?: string | null;
  configRefs?: Record<string, string> | null;
}

export interface Registry extends RegistryWrites {
  /** Validates a definition (rules and target policy) without storing it; throws ValidationError. */
  validate(input: RegisterInput): ServiceInput;
  /** The same writes on `tx`, a transaction the caller commits (config as code: all or nothing). */
  batch(tx: DbClient): RegistryBatch;
  get(id: string): Promise<ServiceRecord | null>;
  findByName(name: string): Promise<ServiceRecord | null>;
  /** Every service, for loading the scheduler and the cache at start-up. */
  listAll(): Promise<ServiceRecord[]>;
  /** Called after each committed change; returns an unsubscribe function. */
  onChange(listener: RegistryListener): () => void;
}

/** A client or an interactive transaction: every write here works on either. */
export type DbClient = Prisma.TransactionClient;

export interface RegistryOptions {
  prisma: PrismaClient;
  logger: Logger;
  /** Judges a URL against the target policy at registration: null, or why it is refused. */
  checkUrl?: (url: string) => string | null;
  /** Runs every database operation (fail fast while the database is down). */
  guard?: <T>(operation: () => Promise<T>) => Promise<T>;
  /** True while the config file's services may not be changed here (CONFIG_FILE, not in merge mode). */
  protectManaged?: ProtectManaged;
}

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;
/** Runs `work` in a transaction: a new one, or the caller's (a batch). */
type Transact = <T>(work: (tx: DbClient) => Promise<T>) => Promise<T>;

export function createRegistry(deps: RegistryOptions): Registry {
  const { prisma } = deps;
  const guard: Guard = deps.guard ?? (<T>(operation: () => Promise<T>) => operation());
  const validate = (service: ServiceInput): ServiceInput => {
    const valid = validateService(service);
    const refusal = deps.checkUrl?.(valid.url);
    if (refusal) throw new ValidationError('url', refusal);
    return valid;
  };
  const log = deps.logger.child({ component: 'registry' });
  const listeners = new Set<RegistryListener>();

  const emit = (change: RegistryChange) => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (err) {
        log.error({ err, change: change.kind, serviceId: change.service.id }, 'registry listener failed');
      }
    }
  };

  const writes = (
    client: DbClient,
    announce: (change: RegistryChange) => void,
    run: Guard,
    transact: Transact,
    protect = false,
  ): RegistryWrites => {
    const existing = async (id: string): Promise<ServiceRecord> => {
      const row = await run(() => client.service.findUnique({ where: { id }, include: WITH_DEPENDENCIES }));
      if (!row) throw notFound(id);
      if (protect) refuseIfManaged(deps.protectManaged, row, `service "${row.name}"`);
      return row;
    };
    return {
      async register(input, marks) {
        const service = validate(withDefaults(input));
        // A heartbeat's url is its push path, which names its id: the id is chosen here.
        const id = randomUUID();
        const push = service.kind === 'HEARTBEAT' ? newPushToken() : null;
        const row = await translateErrors(service.name, () =>
          run(() =>
            transact(async (tx) => {
              const links = await channelLinkWrite(tx, input.notificationChannelIds ?? null, 'create');
              const dependencies = await dependencyWrite(tx, id, input.dependsOn ?? null, 'create');
              return tx.service.create({
                data: {
                  id,
                  ...toData(service, id),
                  pushTokenHash: push?.hash ?? null,
                  ...links,
                  ...dependencies,
                  ...marksData(marks),
                },
                include: WITH_DEPENDENCIES,
              });
            }),
          ),
        );
        log.info({ serviceId: row.id, name: row.name }, 'service registered');
        announce({ kind: 'registered', service: row });
        return push ? { ...row, pushToken: push.token } : row;
      },

      async update(id, patch, marks) {
        const current = await existing(id);
        const service = validate(mergeUpdate(toInput(current), patch));
        const row = await translateErrors(service.name, () =>
          run(() =>
            transact(async (tx) => {
              const links = await channelLinkWrite(tx, patch.notificationChannelIds, 'replace');
              const dependencies = await dependencyWrite(tx, id, patch.dependsOn, 'replace');
              // Leaving HEARTBEAT forgets the push secret; becoming one starts without (rotatePushToken makes it).
              const push = service.kind === 'HEARTBEAT' ? {} : { pushTokenHash: null };
              return tx.service.update({
                where: { id },
                data: { ...toData(service, id), ...push, ...links, ...dependencies, ...marksData(marks) },
                include: WITH_DEPENDENCIES,
              });
            }),
          ),
        );
        log.info({ serviceId: row.id }, 'service updated');
        announce({ kind: 'updated', service: row });
        return row;
      },

      async unregister(id) {
        if (protect) await existing(id);
        const row = await translateErrors(
          '',
          () => run(() => client.service.delete({ where: { id }, include: WITH_DEPENDENCIES })),
          id,
        );
        log.info({ serviceId: row.id, name: row.name }, 'service unregistered');
        announce({ kind: 'unregistered', service: row });
        return row;
      },

      async setPaused(id, paused) {
        const current = await existing(id);
        if (current.paused === paused) return current;
        const row = await translateErrors(
          '',
          () => run(() => client.service.update({ where: { id }, data: { paused }, include: WITH_DEPENDENCIES })),
          id,
        );
        log.info({ serviceId: id, paused }, paused ? 'service paused' : 'service resumed');
        announce({ kind: paused ? 'paused' : 'resumed', service: row });
        return row;
      },

      async rotatePushToken(id) {
        // Not refused for a service of the config file: the secret is not in the file, and its next
        // apply keeps it (else a heartbeat of the file could never be given a push URL).
        const current = await run(() => client.service.findUnique({ where: { id } }));
        if (!current) throw notFound(id);
        if (current.kind !== 'HEARTBEAT')
          throw new ValidationError('id', `is a ${current.kind} check, not a HEARTBEAT`);
        const push = newPushToken();
        const row = await translateErrors(
          '',
          () =>
            run(() =>
              client.service.update({ where: { id }, data: { pushTokenHash: push.hash }, include: WITH_DEPENDENCIES }),
            ),
          id,
        );
        log.info({ serviceId: id }, 'push token rotated');
        announce({ kind: 'updated', service: row });
        return { service: row, pushToken: push.token };
      },
    };
  };

  return {
    validate: (input) => validate(withDefaults(input)),
    ...writes(prisma, emit, guard, (work) => prisma.$transaction(work), true),

    batch(tx) {
      const changes: RegistryChange[] = [];
      return {
        ...writes(
          tx,
          (change) => changes.push(change),
          (operation) => operation(),
          (work) => work(tx),
        ),
        committed() {
          for (const change of changes.splice(0)) emit(change);
        },
      };
    },

    get: (id) => guard(() => prisma.service.findUnique({ where: { id }, include: WITH_DEPENDENCIES })),
    findByName: (name) =>
      guard(() => prisma.service.findUnique({ where: { name: name.trim() }, include: WITH_DEPENDENCIES })),
    listAll: () => guard(() => prisma.service.findMany({ orderBy: { name: 'asc' }, include: WITH_DEPENDENCIES })),

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function marksData(marks: RowMarks | undefined) {
  if (!marks) return {};
  return {
    ...(marks.managedBy === undefined ? {} : { managedBy: marks.managedBy }),
    ...(marks.configRefs === undefined
      ? {}
      : { configRefs: marks.configRefs === null ? Prisma.DbNull : (marks.configRefs as Prisma.InputJsonValue) }),
  };
}

export function toInput(row: ServiceRow): ServiceInput {
  const options = kindOptionsOf(row);
  return {
    name: row.name,
    kind: row.kind as CheckKind,
    url: row.kind === 'HEARTBEAT' ? '' : row.url,
    method: row.method,
    headers: headersOf(row),
    intervalSeconds: row.intervalSeconds,
    timeoutMs: row.timeoutMs,
    expectedStatus: row.expectedStatus,
    bodyContains: row.bodyContains,
    failureThreshold: row.failureThreshold,
    successThreshold: row.successThreshold,
    degradedAboveMs: row.degradedAboveMs,
    labels: row.labels,
    tcp: options.tcp ?? null,
    dns: options.dns ?? null,
    tlsSkipVerify: options.tls?.skipVerify ?? false,
    caCertificate: options.tls?.caCertificate ?? null,
    heartbeat: row.kind === 'HEARTBEAT' ? (options.heartbeat ?? null) : null,
    assertions: assertionsOfRow(row),
  };
}

/** Assertions are stored as a JSON array, in the order the operator gave them. */
export function assertionsOfRow(row: Pick<ServiceRow, 'assertions'>): Assertion[] {
  if (!Array.isArray(row.assertions)) return [];
  // jsonb orders keys its own way: rebuilt in one order, so that equal definitions compare equal.
  return (row.assertions as unknown as Assertion[]).map(({ source, path, operator, value, degrade }) => ({
    source,
    path: path ?? null,
    operator,
    value: value ?? null,
    degrade: degrade === true,
  }));
}

/** The kind's options stored as one JSON object (src/probe/kinds.ts says which kind reads which). */
interface StoredKindOptions {
  tcp?: TcpOptions;
  tls?: TlsOptions;
  dns?: DnsOptions;
  heartbeat?: HeartbeatOptions;
}

export function kindOptionsOf(row: Pick<ServiceRow, 'kindOptions'>): StoredKindOptions {
  const value = row.kindOptions;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as StoredKindOptions) : {};
}

/** Headers are stored as a JSON array of { name, value }, in the order the operator gave them. */
export function headersOf(row: Pick<ServiceRow, 'headers'>): Header[] {
  return Array.isArray(row.headers) ? (row.headers as unknown as Header[]) : [];
}

function toData(service: ServiceInput, id: string) {
  const { tcp, dns, heartbeat, kind, tlsSkipVerify: _skip, caCertificate: _ca, ...columns } = service;
  const tls = tlsOptionsOf(service);
  const kindOptions: StoredKindOptions = {
    ...(tcp === null ? {} : { tcp }),
    ...(tls === null ? {} : { tls }),
    ...(dns === null ? {} : { dns }),
    ...(heartbeat === null ? {} : { heartbeat }),
  };
  return {
    ...columns,
    url: kind === 'HEARTBEAT' ? pushPath(id) : columns.url,
    kind: kind ?? 'HTTP',
    headers: service.headers as unknown as Prisma.InputJsonValue,
    assertions: service.assertions as unknown as Prisma.InputJsonValue,
    kindOptions: kindOptions as Prisma.InputJsonValue,
  };
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`no service with id ${id}`);
}

/** Maps Prisma's unique-violation and missing-row errors to the registry's typed errors. */
async function translateErrors<T>(name: string, write: () => Promise<T>, id?: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError) {
      if (err.code === 'P2002') throw new ConflictError(`a service named "${name}" already exists`);
      if (err.code === 'P2025') throw notFound(id ?? name);
      if (err.code === 'P2003') throw isDependencyViolation(err) ? dependencyViolation() : channelLinkViolation();
    }
    throw err;
  }
}

function isDependencyViolation(err: Prisma.PrismaClientKnownRequestError): boolean {
  return `${err.message} ${JSON.stringify(err.meta ?? {})}`.includes('ServiceDependency');
}

/** The checker's view of a service: what to request and how to judge it. */
export function toCheckDefinition(row: ServiceRecord): CheckDefinition {
  return checkDefinitionOf(row.id, toInput(row), row.paused, dependsOnOf(row));
}

export function checkDefinitionOf(
  id: string,
  service: ServiceInput,
  paused: boolean,
  dependsOn: readonly string[] = [],
): CheckDefinition {
  const parsed = parseExpectedStatus(service.expectedStatus);
  if (!parsed.ok) throw new Error(`stored expectedStatus of ${id} is invalid: ${parsed.message}`);
  return {
    id,
    name: service.name,
    kind: service.kind ?? 'HTTP',
    url: service.kind === 'HEARTBEAT' ? pushPath(id) : service.url,
    method: service.method,
    headers: service.headers,
    intervalSeconds: service.intervalSeconds,
    timeoutMs: service.timeoutMs,
    expectedStatus: parsed.ranges,
    expectedStatusText: service.expectedStatus,
    bodyContains: service.bodyContains,
    degradedAboveMs: service.degradedAboveMs,
    failureThreshold: service.failureThreshold,
    successThreshold: service.successThreshold,
    paused,
    tcp: service.tcp,
    dns: service.kind === 'DNS' ? (service.dns ?? { recordType: 'A' }) : null,
    tls: tlsOptionsOf(service),
    heartbeat: service.kind === 'HEARTBEAT' ? service.heartbeat : null,
    assertions: service.assertions,
    dependsOn,
  };
}
