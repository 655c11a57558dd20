import type { ConfigProblem, Path } from './document.js';
import { formatPath } from './document.js';

/** An object as a document writes it: its fields in a fixed order, defaults left out. */
export type Spec = Record<string, unknown>;

/** The kinds of object config as code manages, in the order documents list them. */
export const OBJECT_KINDS = ['NOTIFICATION_CHANNEL', 'SERVICE', 'MAINTENANCE_WINDOW', 'STATUS_PAGE'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** Who marks the objects the config file manages (Service.managedBy and its like). */
export const MANAGED_BY_FILE = 'config file';

/** Deep equality of plain values; the order of an object's members does not count (jsonb keeps its own). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** Drops null members of an object (a TCP option left out is null in storage, absent in a document). */
export function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null && item !== undefined));
}

/** Whether a value says nothing beyond its default (null, false, an empty list or the default itself). */
export function isDefault(value: unknown, fallback: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  return sameValue(value, fallback);
}

/** The fields whose values differ between two specs, in the order of `order`. */
export function changedFields(current: Spec, desired: Spec, order: readonly string[]): string[] {
  const keys = new Set([...order, ...Object.keys(current), ...Object.keys(desired)]);
  return [...keys].filter((key) => !sameValue(current[key], desired[key]));
}

/** ['headers', 0, 'value'] from "headers[0].value". */
export function parsePath(text: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const match of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    parts.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  }
  return parts;
}

/** The top-level field a path inside an object starts with. */
export function fieldOf(relativePath: string): string {
  return String(parsePath(relativePath)[0] ?? relativePath);
}

/** Sets the value at a path inside a spec, when the path exists there. */
export function setAtPath(spec: Spec, path: readonly (string | number)[], value: unknown): boolean {
  let node: unknown = spec;
  for (const part of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[part];
  }
  const last = path.at(-1);
  if (last === undefined || node === null || typeof node !== 'object' || !(last in node)) return false;
  (node as Record<string | number, unknown>)[last] = value;
  return true;
}

export function getAtPath(spec: unknown, path: readonly (string | number)[]): unknown {
  let node: unknown = spec;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** The ${VAR} references stored with an object (its configRefs column), as a map. */
export function storedRefs(value: unknown): Map<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return new Map();
  return new Map(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The references of one object of a document (`services[3]`), relative to it (`url`, `headers[0].value`). */
export function refsUnder(all: ReadonlyMap<string, string>, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, text] of all) {
    if (path.startsWith(`${prefix}.`)) out.set(path.slice(prefix.length + 1), text);
  }
  return out;
}

export function refsRecord(refs: ReadonlyMap<string, string>): Record<string, string> | null {
  return refs.size === 0 ? null : Object.fromEntries([...refs].sort(([a], [b]) => a.localeCompare(b)));
}

/** Top-level fields whose references differ. */
export function changedRefFields(current: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>): string[] {
  const fields = new Set<string>();
  for (const path of new Set([...current.keys(), ...desired.keys()])) {
    if (current.get(path) !== desired.get(path)) fields.add(fieldOf(path));
  }
  return [...fields];
}

/** Adds a problem at a path inside the document. */
export function problemAt(
  problems: ConfigProblem[],
  lineOf: (path: Path) => number | null,
  path: Path,
  message: string,
): void {
  problems.push({ path: formatPath(path), line: lineOf(path), message });
}
