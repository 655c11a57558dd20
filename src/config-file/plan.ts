import { type MaintenanceWindowInput, validateWindow } from '../maintenance/window-input.js';
import type { ChannelInput } from '../notify/channel-input.js';
import type { ChannelStore } from '../notify/channels.js';
import { type StatusPageInput, validateStatusPage } from '../pages/page-input.js';
import { dependencyProblem } from '../registry/dependency-graph.js';
import { ValidationError } from '../registry/errors.js';
import { toInput } from '../registry/registry.js';
import type { RegisterInput, ServiceInput } from '../registry/service-input.js';
import { CHANNEL_FIELD_ORDER, channelInputOf, channelSpec, secretFieldsOf, storedChannel } from './channel-spec.js';
import type { ConfigProblem, Path } from './document.js';
import { formatPath } from './document.js';
import { PAGE_FIELD_ORDER, pageInputOf, pageSpec } from './page-spec.js';
import {
  hasPassword,
  SERVICE_FIELD_ORDER,
  serviceInputOf,
  serviceSpec,
  validateServiceFully,
  withoutPassword,
} from './service-spec.js';
import {
  changedFields,
  changedRefFields,
  MANAGED_BY_FILE,
  type ObjectKind,
  parsePath,
  problemAt,
  refsRecord,
  refsUnder,
  type Spec,
  storedRefs,
} from './spec.js';
import type { CurrentState } from './state.js';
import { WINDOW_FIELD_ORDER, windowInputOf, windowSpec } from './window-spec.js';

export const CONFIG_ACTIONS = ['CREATE', 'UPDATE', 'DELETE', 'UNCHANGED'] as const;
export type ConfigAction = (typeof CONFIG_ACTIONS)[number];

export interface ConfigChange {
  action: ConfigAction;
  kind: ObjectKind;
  name: string;
  /** The fields that differ, for UPDATE. */
  fields: string[];
}

/** A checked document: its sections, each object with where it sits. */
export interface DesiredDocument {
  channels: { index: number; object: Record<string, unknown> }[];
  services: { index: number; object: Record<string, unknown> }[];
  windows: { index: number; object: Record<string, unknown> }[];
  pages: { index: number; object: Record<string, unknown> }[];
  /** The names every object of the document gives itself, also those whose shape is wrong. */
  names: { channels: Set<string>; services: Set<string>; windows: Set<string>; pages: Set<string> };
  /** Every `${VAR}` reference, by its path in the document. */
  refs: ReadonlyMap<string, string>;
  lineOf: (path: Path) => number | null;
}

export interface PlanOptions {
  prune: boolean;
  /** "file": objects are marked as the file's, and pruning removes only the file's own. */
  source: 'api' | 'file';
  /** Refuse changes to the file's objects (an API apply while CONFIG_FILE_MODE is not merge). */
  protectManaged: boolean;
}

interface Marks {
  managedBy?: string | null;
  configRefs: Record<string, string> | null;
}

export type Step =
  | {
      kind: 'NOTIFICATION_CHANNEL';
      op: 'CREATE' | 'UPDATE';
      path: string;
      id?: string;
      input: ChannelInput;
      marks: Marks;
    }
  | {
      kind: 'SERVICE';
      op: 'CREATE' | 'UPDATE';
      path: string;
      id?: string;
      input: ServiceInput;
      channelNames: string[];
      /** The services it depends on, by name, when they change (undefined: as they are). */
      dependsOn: string[] | undefined;
      paused: boolean;
      marks: Marks;
    }
  | {
      kind: 'MAINTENANCE_WINDOW';
      op: 'CREATE' | 'UPDATE';
      path: string;
      id?: string;
      input: MaintenanceWindowInput;
      serviceNames: string[];
      marks: Marks;
    }
  | {
      kind: 'STATUS_PAGE';
      op: 'CREATE' | 'UPDATE';
      path: string;
      id?: string;
      input: StatusPageInput;
      serviceNames: string[];
      marks: Marks;
    }
  | { kind: ObjectKind; op: 'DELETE'; path: string; id: string; name: string };

export interface Plan {
  changes: ConfigChange[];
  steps: Step[];
  problems: ConfigProblem[];
}

export interface PlanDeps {
  validateService: (input: RegisterInput) => ServiceInput;
  channels: Pick<ChannelStore, 'validate' | 'secretOf'>;
}

const KIND_ORDER: Record<ObjectKind, number> = {
  NOTIFICATION_CHANNEL: 0,
  SERVICE: 1,
  MAINTENANCE_WINDOW: 2,
  STATUS_PAGE: 3,
};

/** Compares a checked document with what is stored: the changes, the writes that make them, and every problem. */
export function planChanges(doc: DesiredDocument, state: CurrentState, deps: PlanDeps, options: PlanOptions): Plan {
  const problems: ConfigProblem[] = [];
  const changes: ConfigChange[] = [];
  const steps: Step[] = [];
  const at = (path: Path, message: string) => problemAt(problems, doc.lineOf, path, message);
  const fieldError = (base: Path, err: ValidationError) =>
    at([...base, ...parsePath(err.field)], err.message.slice(err.field.length + 2));
  const markedFor = (managedBy: string | null) => (options.source === 'file' ? managedBy !== MANAGED_BY_FILE : false);
  const refuseManaged = (base: Path, managedBy: string | null, what: string) => {
    if (options.protectManaged && managedBy === MANAGED_BY_FILE) {
      at(base, `${what} is managed by the config file (CONFIG_FILE): change it there, or set CONFIG_FILE_MODE=merge`);
    }
  };
  const record = (kind: ObjectKind, name: string, _base: Path, fields: string[], exists: boolean) => {
    const action: ConfigAction = !exists ? 'CREATE' : fields.length > 0 ? 'UPDATE' : 'UNCHANGED';
    changes.push({ action, kind, name, fields: action === 'UPDATE' ? fields : [] });
    return action;
  };
  const seen = (kind: string, key: string) => {
    const names = new Map<string, number>();
    return (name: string, base: Path, index: number) => {
      const first = names.get(name);
      if (first !== undefined) {
        at([...base, key], `${kind} "${name}" is already defined at ${formatPath([base[0]!, first])}`);
        return false;
      }
      names.set(name, index);
      return true;
    };
  };

  // Names that exist once the plan is applied (references must point at one of these).
  const channelNames = new Set(doc.names.channels);
  const serviceNames = new Set(doc.names.services);
  const pageSlugs = new Set(doc.names.pages);
  const removable = (managedBy: string | null) =>
    options.prune && (options.source === 'api' || managedBy === MANAGED_BY_FILE);
  for (const [name, row] of state.channels)
    if (!channelNames.has(name) && !removable(row.managedBy)) channelNames.add(name);
  for (const [name, { row }] of state.services)
    if (!serviceNames.has(name) && !removable(row.managedBy)) serviceNames.add(name);
  // The dependency graph once the plan is applied, by name: the document's, and what stays stored.
  const parentsByName = new Map<string, string[]>();
  for (const [name, { dependsOn }] of state.services)
    if (serviceNames.has(name)) parentsByName.set(name, namesOf(dependsOn, state.serviceNames));
  for (const { object } of doc.services) {
    if (typeof object.name === 'string') parentsByName.set(object.name.trim(), trimmed(object.dependsOn));
  }

  const firstChannel = seen('notification channel', 'name');
  for (const { index, object } of doc.channels) {
    const base: Path = ['notificationChannels', index];
    const input = channelInputOf(object);
    const name = input.name.trim();
    if (!firstChannel(name, base, index)) continue;
    const current = state.channels.get(name) ?? null;
    const desiredRefs = refsUnder(doc.refs, formatPath(base));
    const currentRefs = storedRefs(current?.configRefs);
    const secretFields = secretFieldsOf(input.kind);
    // A secret left out keeps the stored one (and the reference it came from).
    if (current) {
      for (const field of secretFields) {
        if (input[field] !== undefined) continue;
        if (field === 'url' && current.kind === input.kind) input.url = current.url;
        const ref = currentRefs.get(field);
        if (ref !== undefined) desiredRefs.set(field, ref);
      }
    }
    let def: ReturnType<PlanDeps['channels']['validate']>;
    try {
      def = deps.channels.validate(input);
      if (!current && def.kind === 'PAGERDUTY' && !def.secret) {
        throw new ValidationError('secret', 'a PAGERDUTY channel needs its routing key');
      }
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      fieldError(base, err);
      continue;
    }
    const spec = channelSpec(def);
    const fields = current ? changedFields(channelSpec(storedChannel(current)), spec, CHANNEL_FIELD_ORDER) : [];
    if (current && def.secret !== undefined && def.secret !== openSecret(deps, current)) fields.push('secret');
    if (current) fields.push(...changedRefFields(currentRefs, desiredRefs));
    if (current && markedFor(current.managedBy)) fields.push('managedBy');
    const unique = [...new Set(fields)];
    if (current && unique.length > 0) refuseManaged(base, current.managedBy, `notification channel "${name}"`);
    const action = record('NOTIFICATION_CHANNEL', name, base, unique, current !== null);
    if (action === 'CREATE' || action === 'UPDATE') {
      steps.push({
        kind: 'NOTIFICATION_CHANNEL',
        op: action,
        path: formatPath(base),
        id: current?.id,
        input,
        marks: marksOf(options, desiredRefs),
      });
    }
  }

  const firstService = seen('service', 'name');
  for (const { index, object } of doc.services) {
    const base: Path = ['services', index];
    const input = serviceInputOf(object);
    const name = input.name.trim();
    if (!firstService(name, base, index)) continue;
    const current = state.services.get(name) ?? null;
    const desiredRefs = refsUnder(doc.refs, formatPath(base));
    const currentRefs = storedRefs(current?.row.configRefs);
    // A url given without its password (as the export writes it) keeps the stored password.
    if (current && hasPassword(current.row.url) && (input.url ?? '').trim() === withoutPassword(current.row.url)) {
      input.url = current.row.url;
      const ref = currentRefs.get('url');
      if (ref !== undefined && !desiredRefs.has('url')) desiredRefs.set('url', ref);
    }
    const links = (object.notificationChannels as string[] | null | undefined) ?? [];
    links.forEach((link, i) => {
      if (!channelNames.has(link.trim())) {
        at([...base, 'notificationChannels', i], `no notification channel named "${link}" (in the document or stored)`);
      }
    });
    const parents = trimmed(object.dependsOn);
    const unknownParent = parents.findIndex((parent) => !serviceNames.has(parent));
    const dependencyIssue =
      unknownParent >= 0
        ? `no service named "${parents[unknownParent]}" (in the document or stored)`
        : dependencyProblem(
            name,
            parents,
            (parent) => serviceNames.has(parent),
            (id) => parentsByName.get(id) ?? [],
          );
    if (dependencyIssue) at([...base, 'dependsOn', ...(unknownParent >= 0 ? [unknownParent] : [])], dependencyIssue);
    const { valid, errors } = validateServiceFully(input, deps.validateService);
    for (const err of errors) fieldError(base, err);
    if (!valid || dependencyIssue) continue;
    const linked = [...new Set(links.map((link) => link.trim()))];
    const paused = object.paused === true;
    const spec = serviceSpec(valid, linked, paused, parents);
    const currentParents = current ? namesOf(current.dependsOn, state.serviceNames) : [];
    const fields = current
      ? changedFields(
          serviceSpec(
            toInput(current.row),
            namesOf(current.channelIds, state.channelNames),
            current.row.paused,
            currentParents,
          ),
          spec,
          SERVICE_FIELD_ORDER,
        )
      : [];
    if (current) fields.push(...changedRefFields(currentRefs, desiredRefs));
    if (current && markedFor(current.row.managedBy)) fields.push('managedBy');
    const unique = [...new Set(fields)];
    if (current && unique.length > 0) refuseManaged(base, current.row.managedBy, `service "${name}"`);
    const action = record('SERVICE', name, base, unique, current !== null);
    if (action === 'CREATE' || action === 'UPDATE') {
      steps.push({
        kind: 'SERVICE',
        op: action,
        path: formatPath(base),
        id: current?.row.id,
        input: valid,
        channelNames: linked,
        dependsOn: sameList(parents, currentParents) ? undefined : parents,
        paused,
        marks: marksOf(options, desiredRefs),
      });
    }
  }

  /** Windows and pages name services and are planned alike: by their name (a page's slug). */
  const planNamingServices = <Input extends { serviceIds?: string[] | null }, Valid extends { serviceIds: string[] }>(
    kind: 'MAINTENANCE_WINDOW' | 'STATUS_PAGE',
    section: 'maintenanceWindows' | 'statusPages',
    what: string,
    key: 'name' | 'slug',
    objects: DesiredDocument['windows'],
    stored: ReadonlyMap<string, { id: string; managedBy: string | null; configRefs: unknown; serviceIds: string[] }>,
    inputOf: (object: Record<string, unknown>) => Input,
    validate: (input: Input) => Valid,
    specOf: (value: Omit<Valid, 'serviceIds'>, serviceNames: readonly string[]) => Spec,
    order: readonly string[],
  ) => {
    const first = seen(what, key);
    for (const { index, object } of objects) {
      const base: Path = [section, index];
      const name = String(object[key]).trim();
      if (!first(name, base, index)) continue;
      const current = stored.get(name) ?? null;
      const desiredRefs = refsUnder(doc.refs, formatPath(base));
      trimmed(object.services).forEach((service, i) => {
        if (!serviceNames.has(service)) {
          at([...base, 'services', i], `no service named "${service}" (in the document or stored)`);
        }
      });
      let input: Input;
      let valid: Valid;
      try {
        input = inputOf(object);
        valid = validate(input);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        fieldError(base, err.field.startsWith('serviceIds') ? new ValidationError('services', err.message) : err);
        continue;
      }
      const services = valid.serviceIds.map((service) => service.trim());
      const spec = specOf(valid, services);
      const fields = current
        ? changedFields(
            specOf(current as unknown as Omit<Valid, 'serviceIds'>, namesOf(current.serviceIds, state.serviceNames)),
            spec,
            order,
          )
        : [];
      if (current) fields.push(...changedRefFields(storedRefs(current.configRefs), desiredRefs));
      if (current && markedFor(current.managedBy)) fields.push('managedBy');
      const unique = [...new Set(fields)];
      if (current && unique.length > 0) refuseManaged(base, current.managedBy, `${what} "${name}"`);
      const action = record(kind, name, base, unique, current !== null);
      if (action === 'CREATE' || action === 'UPDATE') {
        steps.push({
          kind,
          op: action,
          path: formatPath(base),
          id: current?.id,
          input,
          serviceNames: services,
          marks: marksOf(options, desiredRefs),
        } as unknown as Step);
      }
    }
  };
  planNamingServices(
    'MAINTENANCE_WINDOW',
    'maintenanceWindows',
    'maintenance window',
    'name',
    doc.windows,
    state.windows,
    windowInputOf,
    validateWindow,
    windowSpec,
    WINDOW_FIELD_ORDER,
  );
  planNamingServices(
    'STATUS_PAGE',
    'statusPages',
    'status page',
    'slug',
    doc.pages,
    state.pages,
    pageInputOf,
    validateStatusPage,
    pageSpec,
    PAGE_FIELD_ORDER,
  );

  // Deletions, with prune only: what is stored and not in the document.
  if (options.prune) {
    const deletions: [ObjectKind, string, string, string | null, string][] = [];
    for (const [slug, row] of state.pages)
      if (!pageSlugs.has(slug)) deletions.push(['STATUS_PAGE', slug, row.id, row.managedBy, 'statusPages']);
    for (const [name, row] of state.windows)
      if (!doc.names.windows.has(name))
        deletions.push(['MAINTENANCE_WINDOW', name, row.id, row.managedBy, 'maintenanceWindows']);
    for (const [name, { row }] of state.services)
      if (!doc.names.services.has(name)) deletions.push(['SERVICE', name, row.id, row.managedBy, 'services']);
    for (const [name, row] of state.channels)
      if (!doc.names.channels.has(name))
        deletions.push(['NOTIFICATION_CHANNEL', name, row.id, row.managedBy, 'notificationChannels']);
    for (const [kind, name, id, managedBy, section] of deletions) {
      if (!removable(managedBy)) continue;
      if (options.source === 'api' && options.protectManaged && managedBy === MANAGED_BY_FILE) {
        at(
          [section],
          `${name} is managed by the config file (CONFIG_FILE) and would be deleted: remove it there, or set CONFIG_FILE_MODE=merge`,
        );
        continue;
      }
      changes.push({ action: 'DELETE', kind, name, fields: [] });
      steps.push({ kind, op: 'DELETE', path: section, id, name });
    }
  }

  changes.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { changes, steps, problems };
}

function marksOf(options: PlanOptions, refs: ReadonlyMap<string, string>): Marks {
  return {
    ...(options.source === 'file' ? { managedBy: MANAGED_BY_FILE } : {}),
    configRefs: refsRecord(refs),
  };
}

function namesOf(ids: readonly string[], names: ReadonlyMap<string, string>): string[] {
  return ids.map((id) => names.get(id) ?? id);
}

/** A list of names as a document gives it (its shape checked), each trimmed. */
function trimmed(names: unknown): string[] {
  return Array.isArray(names) ? names.map((name) => String(name).trim()) : [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The stored secret in clear; one that no longer opens (SECRETS_KEY changed) differs from any given. */
function openSecret(deps: PlanDeps, row: Parameters<ChannelStore['secretOf']>[0]): string | null | symbol {
  try {
    return deps.channels.secretOf(row);
  } catch {
    return Symbol('unreadable');
  }
}
