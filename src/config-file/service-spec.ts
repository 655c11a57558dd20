import { ASSERTION_OPERATORS, ASSERTION_SOURCES } from '../probe/assert/assertion.js';
import { DNS_RECORD_TYPES } from '../probe/dns/options.js';
import { HTTP_METHODS } from '../probe/http/method.js';
import { CHECK_KINDS, kindOfScheme } from '../probe/kinds.js';
import { withoutPassword } from '../probe/net/redact.js';
import { ValidationError } from '../registry/errors.js';
import type { RegisterInput, ServiceInput } from '../registry/service-input.js';
import { SERVICE_DEFAULTS } from '../registry/service-input.js';
import { bool, choice, optInt, optStr, type Shape, str, strings } from './shape.js';
import { isDefault, parsePath, type Spec, withoutNulls } from './spec.js';

/**
 * Every field of a service definition, as a document writes it. Typed by ServiceInput's keys, so a
 * field added to the registry cannot be forgotten here (export and apply would lose it).
 */
const DEFINITION_FIELDS: Record<keyof ServiceInput, Shape> = {
  name: str,
  kind: choice(CHECK_KINDS, true),
  // Every kind but HEARTBEAT needs one (validation says so, naming the field).
  url: optStr,
  method: choice(HTTP_METHODS, true),
  headers: {
    type: 'list',
    nullable: true,
    of: { type: 'object', fields: { name: str, value: str }, required: ['name', 'value'] },
  },
  intervalSeconds: optInt,
  timeoutMs: optInt,
  expectedStatus: optStr,
  bodyContains: optStr,
  failureThreshold: optInt,
  successThreshold: optInt,
  degradedAboveMs: optInt,
  labels: strings,
  tcp: { type: 'object', nullable: true, fields: { send: optStr, expect: optStr } },
  dns: { type: 'object', nullable: true, fields: { recordType: choice(DNS_RECORD_TYPES, true), resolver: optStr } },
  tlsSkipVerify: { ...bool, nullable: true } as Shape,
  caCertificate: optStr,
  heartbeat: {
    type: 'object',
    nullable: true,
    fields: { periodSeconds: optInt, cron: optStr, timezone: optStr, graceSeconds: optInt },
  },
  assertions: {
    type: 'list',
    nullable: true,
    of: {
      type: 'object',
      fields: {
        source: choice(ASSERTION_SOURCES),
        path: optStr,
        operator: choice(ASSERTION_OPERATORS),
        value: optStr,
        degrade: { ...bool, nullable: true } as Shape,
      },
      required: ['source', 'operator'],
    },
  },
};

export const SERVICE_SHAPE: Shape = {
  type: 'object',
  fields: {
    ...DEFINITION_FIELDS,
    dependsOn: strings,
    notificationChannels: strings,
    paused: { ...bool, nullable: true } as Shape,
  },
  required: ['name'],
};

/** The order fields are written in. */
export const SERVICE_FIELD_ORDER: readonly string[] = Object.keys(
  SERVICE_SHAPE.type === 'object' ? SERVICE_SHAPE.fields : {},
);

/** Values a definition holds without saying so (a DNS check asks for A records unless told otherwise). */
const IMPLICIT: Partial<Record<keyof ServiceInput, unknown>> = { dns: { recordType: 'A' } };

/** A document's service as registry input (its shape has been checked). */
export function serviceInputOf(object: Record<string, unknown>): RegisterInput {
  const {
    notificationChannels: _channels,
    dependsOn: _dependsOn,
    paused: _paused,
    $comment: _comment,
    ...definition
  } = object;
  return definition as unknown as RegisterInput;
}

/**
 * A service as a document writes it: defaults, and the kind its url's scheme implies, left out.
 * `dependsOn` by name, in its order (the first parent is the first root cause looked at).
 */
export function serviceSpec(
  input: ServiceInput,
  channelNames: readonly string[],
  paused: boolean,
  dependsOn: readonly string[] = [],
): Spec {
  const spec: Spec = {};
  for (const key of SERVICE_FIELD_ORDER) {
    if (key === 'dependsOn') {
      if (dependsOn.length > 0) spec[key] = [...dependsOn];
      continue;
    }
    if (key === 'notificationChannels') {
      if (channelNames.length > 0) spec[key] = [...channelNames].sort();
      continue;
    }
    if (key === 'paused') {
      if (paused) spec[key] = true;
      continue;
    }
    const field = key as keyof ServiceInput;
    let value: unknown = input[field];
    if (field === 'name' || field === 'url') {
      // A heartbeat has no url of its own (its push path is made from its id).
      if (value !== '') spec[field] = value;
      continue;
    }
    if (field === 'kind' && value === kindOfSchemeOf(input.url)) continue;
    // Members of list items that say nothing (an assertion's path: null, degrade: false) are left out.
    // Members in the shape's order: JSON columns (jsonb) give them back in an order of their own.
    const shape = DEFINITION_FIELDS[field];
    if (Array.isArray(value)) {
      const order = shape.type === 'list' && shape.of.type === 'object' ? Object.keys(shape.of.fields) : [];
      value = value.map((item) => (isPlainObject(item) ? inOrder(withoutDefaults(item), order) : item));
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      value = inOrder(
        withoutNulls(value as Record<string, unknown>),
        shape.type === 'object' ? Object.keys(shape.fields) : [],
      );
      if (Object.keys(value as object).length === 0) continue;
    }
    if (isDefault(value, SERVICE_DEFAULTS[field as keyof typeof SERVICE_DEFAULTS]) || isDefault(value, IMPLICIT[field]))
      continue;
    spec[field] = value;
  }
  return spec;
}

function inOrder(item: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const known = order.filter((key) => key in item).map((key) => [key, item[key]] as const);
  const rest = Object.keys(item)
    .filter((key) => !order.includes(key))
    .sort()
    .map((key) => [key, item[key]] as const);
  return Object.fromEntries([...known, ...rest]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withoutDefaults(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([, member]) => member !== null && member !== false));
}

function kindOfSchemeOf(url: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  return scheme ? kindOfScheme(scheme) : null;
}

/**
 * Validates a definition as the registry does, collecting more than the first problem: a field
 * found wrong is set back to its default and the rest checked again (a wrong url stops it: the
 * kind, and so the rules of the other fields, follow from it).
 */
export function validateServiceFully(
  input: RegisterInput,
  validate: (input: RegisterInput) => ServiceInput,
): { valid: ServiceInput | null; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  const attempt: Record<string, unknown> = { ...input };
  const reset = new Set<string>();
  for (let round = 0; round < 20; round++) {
    try {
      const valid = validate(attempt as unknown as RegisterInput);
      return { valid: errors.length === 0 ? valid : null, errors };
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.push(err);
      const field = String(parsePath(err.field)[0] ?? err.field);
      if (field === 'url' || field === 'kind' || reset.has(field)) break;
      reset.add(field);
      if (field === 'name') attempt.name = 'unnamed';
      else attempt[field] = field in SERVICE_DEFAULTS ? SERVICE_DEFAULTS[field as keyof typeof SERVICE_DEFAULTS] : null;
    }
  }
  return { valid: null, errors };
}

/** Whether a url carries a password (postgres://, redis://): a secret, never exported. */
export function hasPassword(url: string): boolean {
  return withoutPassword(url) !== url;
}

export { withoutPassword };
