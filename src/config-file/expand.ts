import type { ConfigProblem, Path } from './document.js';
import { formatPath } from './document.js';

/** `${NAME}`; `$${` stands for a literal `${`. */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Expanded {
  value: unknown;
  /** The strings that held references, by path (as formatPath writes it): their text as written. */
  refs: Map<string, string>;
}

/**
 * Replaces every `${VAR}` in the document's strings with the variable's value from `env`, and
 * remembers which strings held references (so that an export shows the reference again, never the
 * value). A variable that is not set is a problem naming its path.
 */
export function expandReferences(
  value: unknown,
  env: Environment,
  lineOf: (path: Path) => number | null,
  problems: ConfigProblem[],
): Expanded {
  const refs = new Map<string, string>();
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      const expanded = expandString(node, env, (message) =>
        problems.push({ path: formatPath(path), line: lineOf(path), message }),
      );
      if (expanded !== node || node.includes('$${')) refs.set(formatPath(path), node);
      return expanded;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), refs };
}

/** The string with its references replaced; `report` hears of each one that cannot be. */
export function expandString(text: string, env: Environment, report: (message: string) => void = () => {}): string {
  return text.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const variable = (name ?? '').trim();
    if (!NAME.test(variable)) {
      report(`"\${${name}}" is not a variable reference (letters, digits and _; write $\${ for a literal \${)`);
      return match;
    }
    const found = env[variable];
    if (found === undefined) {
      report(`environment variable ${variable} is not set`);
      return match;
    }
    return found;
  });
}

/** Whether the text holds a reference (or an escaped `$${`), i.e. would be stored as one. */
export function holdsReference(text: string): boolean {
  return text.includes('${');
}
