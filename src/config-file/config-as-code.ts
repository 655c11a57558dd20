import { ACTOR_ANONYMOUS, ACTOR_CONFIG_FILE, type AuditWriter, recordAudits } from '../audit/audit-log.js';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { ChannelStore } from '../notify/channels.js';
import type { StatusPages } from '../pages/status-pages.js';
import type { Registry } from '../registry/registry.js';
import { CHANNEL_SHAPE } from './channel-spec.js';
import { type ConfigFormat, type ConfigProblem, type Path, parseConfigDocument } from './document.js';
import { ApplyRefused, executeSteps } from './execute.js';
import { type Environment, expandReferences } from './expand.js';
import { type ExportScope, exportDocument, SECTIONS } from './export.js';
import { PAGE_SHAPE } from './page-spec.js';
import { type ConfigChange, type DesiredDocument, type PlanOptions, planChanges } from './plan.js';
import { SERVICE_SHAPE } from './service-spec.js';
import { checkShape, type Shape } from './shape.js';
import { problemAt } from './spec.js';
import { loadState } from './state.js';
import { WINDOW_SHAPE } from './window-spec.js';

export type { ConfigFormat, ConfigProblem } from './document.js';
export type { ConfigAction, ConfigChange } from './plan.js';

export interface ConfigPlan {
  changes: ConfigChange[];
  applied: boolean;
}

export type ApplyResult = { ok: true; plan: ConfigPlan } | { ok: false; problems: ConfigProblem[] };

export interface ApplyOptions {
  /** "file": the config file (objects marked as its own; pruning removes only those). Default "api". */
  source?: 'api' | 'file';
  /** Who applies it, for the audit log (the token's name); the file's actor is "config file". */
  actor?: string;
}

export interface ConfigAsCode {
  /** Every object as a document (YAML by default): stable order, defaults left out, no secret in clear. */
  exportConfig(format?: ConfigFormat, scope?: ExportScope | null): Promise<string>;
  /**
   * Checks the whole document (every problem at once, with its path and line), then plans it
   * against what is stored; with `dryRun` false applies the plan in one transaction, all or nothing.
   */
  applyConfig(
    document: string,
    format?: ConfigFormat,
    dryRun?: boolean,
    prune?: boolean,
    options?: ApplyOptions,
  ): Promise<ApplyResult>;
}

export interface ConfigAsCodeDeps {
  prisma: PrismaClient;
  registry: Registry;
  channels: ChannelStore;
  statusPages: StatusPages;
  maintenance: Pick<Maintenance, 'batch'>;
  /** Where `${VAR}` references are read from (config.ts's snapshot of the environment). */
  env: Environment;
  logger: Logger;
  /** Refuse API changes to the config file's objects (CONFIG_FILE set, CONFIG_FILE_MODE not merge). */
  protectManaged?: () => boolean;
  /** Runs every database operation (fail fast while the database is down). */
  guard?: <T>(operation: () => Promise<T>) => Promise<T>;
}

const DOCUMENT_SHAPE: Shape = {
  type: 'object',
  fields: {
    notificationChannels: { type: 'list', of: CHANNEL_SHAPE, nullable: true },
    services: { type: 'list', of: SERVICE_SHAPE, nullable: true },
    maintenanceWindows: { type: 'list', of: WINDOW_SHAPE, nullable: true },
    statusPages: { type: 'list', of: PAGE_SHAPE, nullable: true },
  },
};

/** Serialises applies (of the file and of the API, across replicas): one plan is applied at a time. */
const APPLY_LOCK = 7_215_301_915;
/** An apply of thousands of objects takes seconds on the embedded database; Prisma's default is 5 s. */
const TRANSACTION_TIMEOUT_MS = 10 * 60_000;

export function createConfigAsCode(deps: ConfigAsCodeDeps): ConfigAsCode {
  const guard = deps.guard ?? (<T>(operation: () => Promise<T>) => operation());
  const log = deps.logger.child({ component: 'config-file' });

  return {
    async exportConfig(format = 'YAML', scope = null) {
      const state = await guard(() => loadState(deps.prisma, deps.statusPages));
      return exportDocument(state, format, deps.env, deps.channels.secretOf, scope);
    },

    async applyConfig(text, format = 'YAML', dryRun = true, prune = false, options = {}) {
      const checked = checkDocument(text, format, deps.env);
      if (!checked.ok) return { ok: false, problems: checked.problems };
      const { doc, problems: shapeProblems } = checked;
      // The plan runs twice (before the transaction, and in it against what is stored then); a
      // definition's validation depends on the definition only, so the second plan reuses the first's.
      const planDeps = { validateService: remembered(deps.registry.validate), channels: deps.channels };
      const planOptions: PlanOptions = {
        prune,
        source: options.source ?? 'api',
        protectManaged: (options.source ?? 'api') === 'api' && (deps.protectManaged?.() ?? false),
      };
      const planned = planChanges(
        doc,
        await guard(() => loadState(deps.prisma, deps.statusPages)),
        planDeps,
        planOptions,
      );
      const problems = sortProblems([...shapeProblems, ...planned.problems]);
      if (problems.length > 0) return { ok: false, problems };
      if (dryRun) return { ok: true, plan: { changes: planned.changes, applied: false } };

      const batch = deps.registry.batch;
      const actor = planOptions.source === 'file' ? ACTOR_CONFIG_FILE : (options.actor ?? ACTOR_ANONYMOUS);
      let committed: (() => void)[] = [];
      try {
        const changes = await guard(() =>
          deps.prisma.$transaction(
            async (tx) => {
              await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${APPLY_LOCK})::text AS locked`);
              // Planned again inside the transaction: what another writer changed meanwhile counts.
              const state = await loadState(tx, deps.statusPages);
              const plan = planChanges(doc, state, planDeps, planOptions);
              if (plan.problems.length > 0) throw new ApplyRefused(plan.problems);
              const registry = batch(tx);
              const windows = deps.maintenance.batch(tx);
              await executeSteps(plan.steps, state, {
                registry,
                channels: deps.channels.within(tx),
                windows,
                pages: deps.statusPages.within(tx),
              });
              await recordChanges(tx, plan.changes, actor);
              committed = [registry.committed, windows.committed];
              return plan.changes;
            },
            { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
          ),
        );
        for (const announce of committed) announce();
        const counts = countActions(changes);
        log.info({ ...counts, source: planOptions.source, prune }, 'config applied');
        return { ok: true, plan: { changes, applied: true } };
      } catch (err) {
        if (err instanceof ApplyRefused) return { ok: false, problems: sortProblems(err.problems) };
        throw err;
      }
    },
  };
}

/** `validate` answering each input it has seen before as it did then (its value, or its error). */
function remembered(validate: Registry['validate']): Registry['validate'] {
  const seen = new Map<string, { value: ReturnType<Registry['validate']> } | { error: unknown }>();
  return (input) => {
    const key = JSON.stringify(input);
    let outcome = seen.get(key);
    if (!outcome) {
      try {
        outcome = { value: validate(input) };
      } catch (error) {
        outcome = { error };
      }
      seen.set(key, outcome);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  };
}

/** Parses, expands references and checks the shape of every object; the objects that fit go on to planning. */
function checkDocument(
  text: string,
  format: ConfigFormat,
  env: Environment,
): { ok: true; doc: DesiredDocument; problems: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] } {
  const parsed = parseConfigDocument(text, format);
  if (!parsed.ok) return parsed;
  const { lineOf } = parsed.document;
  const problems: ConfigProblem[] = [];
  const expanded = expandReferences(parsed.document.value, env, lineOf, problems);
  // An object with a reference that could not be expanded is not checked further (its text is not its value).
  const unexpanded = problems.map((problem) => problem.path);
  const value = expanded.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      problems: [{ path: '', line: lineOf([]), message: `must be a mapping of ${SECTIONS.join(', ')}` }],
    };
  }
  const root = value as Record<string, unknown>;
  const fields = DOCUMENT_SHAPE.type === 'object' ? DOCUMENT_SHAPE.fields : {};
  for (const key of Object.keys(root)) {
    if (!(key in fields) && key !== '$comment')
      problemAt(problems, lineOf, [key], `is not a section (known: ${SECTIONS.join(', ')})`);
  }
  const section = (key: (typeof SECTIONS)[number], shape: Shape) => {
    const items = root[key];
    if (items === undefined || items === null) return [];
    if (!Array.isArray(items)) {
      problemAt(problems, lineOf, [key], 'must be a list');
      return [];
    }
    return items.flatMap((object, index) => {
      const prefix = `${key}[${index}]`;
      if (unexpanded.some((path) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)))
        return [];
      return checkShape(object, shape, [key, index] as Path, lineOf, problems)
        ? [{ index, object: object as Record<string, unknown> }]
        : [];
    });
  };
  const doc: DesiredDocument = {
    channels: section('notificationChannels', CHANNEL_SHAPE),
    services: section('services', SERVICE_SHAPE),
    windows: section('maintenanceWindows', WINDOW_SHAPE),
    pages: section('statusPages', PAGE_SHAPE),
    names: {
      channels: namesIn(root.notificationChannels, 'name'),
      services: namesIn(root.services, 'name'),
      windows: namesIn(root.maintenanceWindows, 'name'),
      pages: namesIn(root.statusPages, 'slug'),
    },
    refs: expanded.refs,
    lineOf,
  };
  return { ok: true, doc, problems };
}

const TARGET_KIND: Record<ConfigChange['kind'], string> = {
  NOTIFICATION_CHANNEL: 'notification channel',
  SERVICE: 'service',
  MAINTENANCE_WINDOW: 'maintenance window',
  STATUS_PAGE: 'status page',
};

/** One audit entry per change, in the transaction of the changes (written with them or not at all). */
async function recordChanges(tx: AuditWriter, changes: readonly ConfigChange[], actor: string): Promise<void> {
  await recordAudits(
    tx,
    changes
      .filter((change) => change.action !== 'UNCHANGED')
      .map((change) => ({
        actor,
        operation: `config.${change.action}`,
        target: `${TARGET_KIND[change.kind]} "${change.name}"`,
        summary:
          change.action === 'UPDATE'
            ? `changed ${change.fields.join(', ')}`
            : change.action === 'CREATE'
              ? 'created from the config'
              : 'deleted: not in the config (prune)',
      })),
  );
}

function namesIn(items: unknown, key: string): Set<string> {
  if (!Array.isArray(items)) return new Set();
  return new Set(
    items.flatMap((item) => {
      const name = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[key] : undefined;
      return typeof name === 'string' ? [name.trim()] : [];
    }),
  );
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

function countActions(changes: readonly ConfigChange[]): Record<string, number> {
  const counts: Record<string, number> = { created: 0, updated: 0, deleted: 0, unchanged: 0 };
  const key = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted', UNCHANGED: 'unchanged' } as const;
  for (const change of changes) counts[key[change.action]]! += 1;
  return counts;
}

/** A plan as a person reads it (logs, the CLI): one line per change, UNCHANGED summed up. */
export function formatPlan(changes: readonly ConfigChange[]): string {
  const lines = changes
    .filter((change) => change.action !== 'UNCHANGED')
    .map(
      (change) =>
        `${change.action.padEnd(9)} ${change.kind.padEnd(20)} ${change.name}${change.fields.length ? `  (${change.fields.join(', ')})` : ''}`,
    );
  const unchanged = changes.filter((change) => change.action === 'UNCHANGED').length;
  const counts = countActions(changes);
  lines.push(
    `${counts.created} to create, ${counts.updated} to update, ${counts.deleted} to delete, ${unchanged} unchanged`,
  );
  return lines.join('\n');
}
