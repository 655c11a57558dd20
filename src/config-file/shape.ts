import type { ConfigProblem, Path } from './document.js';
import { formatPath } from './document.js';

/** The shape of a value in a document, checked before any domain rule runs (so that every mistake is named). */
export type Shape =
  | { type: 'string'; nullable?: boolean; choices?: readonly string[] }
  | { type: 'int'; nullable?: boolean }
  | { type: 'bool' }
  | { type: 'list'; of: Shape; nullable?: boolean }
  | { type: 'object'; fields: Readonly<Record<string, Shape>>; required?: readonly string[]; nullable?: boolean };

export const str: Shape = { type: 'string' };
export const optStr: Shape = { type: 'string', nullable: true };
export const int: Shape = { type: 'int' };
export const optInt: Shape = { type: 'int', nullable: true };
export const bool: Shape = { type: 'bool' };
export const strings: Shape = { type: 'list', of: str, nullable: true };
export const choice = (choices: readonly string[], nullable = false): Shape => ({ type: 'string', choices, nullable });

/** A key every object may carry and that is ignored (JSON has no comments; JSON Schema's keyword). */
export const COMMENT_KEY = '$comment';

/** Adds a problem for each place `value` does not fit `shape`; true when it fits. */
export function checkShape(
  value: unknown,
  shape: Shape,
  path: Path,
  lineOf: (path: Path) => number | null,
  problems: ConfigProblem[],
): boolean {
  const report = (message: string, at: Path = path) => {
    problems.push({ path: formatPath(at), line: lineOf(at), message });
    return false;
  };
  if (value === null || value === undefined) {
    if ('nullable' in shape && shape.nullable) return true;
    return report('must not be empty');
  }
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') {
        // A YAML number or boolean where text is expected: quoting it is the fix.
        return report(`must be text${typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : ''}`);
      }
      if (shape.choices && !shape.choices.includes(value)) return report(`must be one of ${shape.choices.join(', ')}`);
      return true;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return report('must be a whole number');
      return true;
    case 'bool':
      if (typeof value !== 'boolean') return report('must be true or false');
      return true;
    case 'list': {
      if (!Array.isArray(value)) return report('must be a list');
      let fits = true;
      value.forEach((item, i) => {
        fits = checkShape(item, shape.of, [...path, i], lineOf, problems) && fits;
      });
      return fits;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return report('must be a mapping of fields');
      let fits = true;
      for (const [key, item] of Object.entries(value)) {
        if (key === COMMENT_KEY) continue;
        const field = shape.fields[key];
        if (!field) {
          fits = report(`is not a field here (known: ${Object.keys(shape.fields).join(', ')})`, [...path, key]);
          continue;
        }
        fits = checkShape(item, field, [...path, key], lineOf, problems) && fits;
      }
      for (const key of shape.required ?? []) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) fits = report(`${key} is required`, path);
      }
      return fits;
    }
  }
}
