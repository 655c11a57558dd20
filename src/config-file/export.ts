import { Document, isMap } from 'yaml';
import type { ChannelStore } from '../notify/channels.js';
import { toInput } from '../registry/registry.js';
import { CHANNEL_FIELD_ORDER, channelSpec, secretFieldsOf, storedChannel } from './channel-spec.js';
import type { ConfigFormat } from './document.js';
import { type Environment, expandString } from './expand.js';
import { pageSpec } from './page-spec.js';
import { hasPassword, serviceSpec, withoutPassword } from './service-spec.js';
import { COMMENT_KEY } from './shape.js';
import { getAtPath, parsePath, type Spec, setAtPath, storedRefs } from './spec.js';
import { byName, type CurrentState } from './state.js';
import { windowSpec } from './window-spec.js';

interface Exported {
  spec: Spec;
  /** What a person should know about this object (a secret left out). */
  notes: string[];
}

/** The top-level keys of a document, in the order they are written. */
export const SECTIONS = ['notificationChannels', 'services', 'maintenanceWindows', 'statusPages'] as const;

/** Whom an export is for: a token limited to labels sees its services only. */
export interface ExportScope {
  labels: readonly string[];
}

/**
 * Every object as a document: sections in a fixed order, objects by name, fields in a fixed order,
 * defaults left out. A secret is written as the `${VAR}` reference it was applied from (when that
 * reference still gives the stored value), or left out with a note: never in clear.
 */
export function exportDocument(
  state: CurrentState,
  format: ConfigFormat,
  env: Environment,
  secretOf: ChannelStore['secretOf'],
  scope: ExportScope | null = null,
): string {
  if (scope) state = cutToLabels(state, scope.labels);
  const sections: Record<(typeof SECTIONS)[number], Exported[]> = {
    notificationChannels: byName(state.channels).map(([, row]) => {
      const spec = channelSpec(storedChannel(row));
      const refs = storedRefs(row.configRefs);
      const notes: string[] = [];
      const secrets = secretFieldsOf(row.kind);
      const clear: Record<string, string | null> = { url: row.url, secret: null };
      for (const field of secrets) {
        let value: string | null;
        try {
          value = field === 'secret' ? secretOf(row) : row.url;
        } catch {
          value = null;
        }
        clear[field] = value;
        if (value === null) continue;
        const ref = refs.get(field);
        if (ref !== undefined && stillGives(ref, value, env)) spec[field] = ref;
        else {
          delete spec[field];
          notes.push(`${field} is set but not exported (a secret): give it as \${ENV_VAR} to manage it here`);
        }
      }
      const rest = new Map([...refs].filter(([path]) => !secrets.includes(path as 'url')));
      return { spec: withRefs(ordered(spec, CHANNEL_FIELD_ORDER), rest, env), notes };
    }),
    services: byName(state.services).map(([, service]) => {
      const { row, channelIds } = service;
      const names = channelIds.map((id) => state.channelNames.get(id) ?? id);
      const refs = storedRefs(row.configRefs);
      const dependsOn = service.dependsOn.map((id) => state.serviceNames.get(id) ?? id);
      const spec = withRefs(serviceSpec(toInput(row), names, row.paused, dependsOn), refs, env);
      const notes: string[] = [];
      if (spec.url === row.url && hasPassword(row.url)) {
        spec.url = withoutPassword(row.url);
        notes.push('the password in url is not exported (a secret): give the url as ${ENV_VAR} to manage it here');
      }
      return { spec, notes };
    }),
    maintenanceWindows: byName(state.windows).map(([, row]) => ({
      spec: withRefs(
        windowSpec(
          row,
          row.serviceIds.map((id) => state.serviceNames.get(id) ?? id),
        ),
        storedRefs(row.configRefs),
        env,
      ),
      notes: [],
    })),
    statusPages: byName(state.pages).map(([, row]) => ({
      spec: withRefs(
        pageSpec(
          row,
          row.serviceIds.map((id) => state.serviceNames.get(id) ?? id),
        ),
        storedRefs(row.configRefs),
        env,
      ),
      notes: [],
    })),
  };
  const present = SECTIONS.filter((section) => sections[section].length > 0);
  if (format === 'JSON') {
    const value = Object.fromEntries([
      ...(scope ? [[COMMENT_KEY, scopeNote(scope)]] : []),
      ...present.map((section) => [
        section,
        sections[section].map(({ spec, notes }) =>
          notes.length ? { ...spec, [COMMENT_KEY]: notes.join('; ') } : spec,
        ),
      ]),
    ]);
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  const doc = new Document(
    Object.fromEntries(present.map((section) => [section, sections[section].map((e) => e.spec)])),
  );
  for (const section of present) {
    sections[section].forEach(({ notes }, i) => {
      const node = doc.getIn([section, i], true);
      if (notes.length > 0 && isMap(node)) node.commentBefore = notes.map((note) => ` ${note}`).join('\n');
    });
  }
  if (scope) doc.commentBefore = ` ${scopeNote(scope)}`;
  return present.length === 0 && !scope ? '{}\n' : doc.toString({ lineWidth: 0 });
}

function scopeNote(scope: ExportScope): string {
  return `only the services with one of the labels ${scope.labels.join(', ')} (the token's): channels, windows, pages and links to services outside them are left out`;
}

/**
 * What a token limited to labels may see of the state: its services, without the channels they
 * notify (channels are not its to read) and with only the parents it sees.
 */
function cutToLabels(state: CurrentState, labels: readonly string[]): CurrentState {
  const wanted = new Set(labels);
  const services = new Map([...state.services].filter(([, { row }]) => row.labels.some((label) => wanted.has(label))));
  const visible = new Set([...services.values()].map(({ row }) => row.id));
  return {
    ...state,
    services: new Map(
      [...services].map(([name, service]) => [
        name,
        { ...service, channelIds: [], dependsOn: service.dependsOn.filter((id) => visible.has(id)) },
      ]),
    ),
    channels: new Map(),
    windows: new Map(),
    pages: new Map(),
  };
}

/** Whether a stored reference still gives the stored value (one that cannot be expanded here is trusted). */
function stillGives(ref: string, value: string, env: Environment): boolean {
  let missing = false;
  const expanded = expandString(ref, env, () => {
    missing = true;
  });
  return missing || expanded === value;
}

/** Writes each stored reference back in place of its value, where it still gives that value. */
function withRefs(original: Spec, refs: ReadonlyMap<string, string>, env: Environment): Spec {
  const spec = structuredClone(original);
  for (const [path, ref] of refs) {
    const parts = parsePath(path);
    const value = getAtPath(spec, parts);
    if (typeof value === 'string' && stillGives(ref, value, env)) setAtPath(spec, parts, ref);
  }
  return spec;
}

function ordered(spec: Spec, order: readonly string[]): Spec {
  return Object.fromEntries(order.filter((key) => key in spec).map((key) => [key, spec[key]]));
}
