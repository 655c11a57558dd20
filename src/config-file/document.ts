import { type Document, isNode, LineCounter, parseDocument } from 'yaml';

export const CONFIG_FORMATS = ['YAML', 'JSON'] as const;
export type ConfigFormat = (typeof CONFIG_FORMATS)[number];

/** One problem of a document: where (a path such as `services[3].url`, and the line when known) and what. */
export interface ConfigProblem {
  path: string;
  line: number | null;
  message: string;
}

export type Path = readonly (string | number)[];

/** A parsed document: its plain value, and the line each path of it starts on. */
export interface ParsedDocument {
  value: unknown;
  /** The line of the node at `path` (1-based), or of its nearest ancestor that exists. */
  lineOf(path: Path): number | null;
}

/** The largest document accepted (the API's request limit is 1 MiB; a file may be larger). */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/**
 * Parses YAML or JSON with the `yaml` package, which keeps every node's range: problems found
 * later can name their line. JSON is first parsed strictly (JSON.parse), so a YAML-only construct in
 * a JSON document is an error, then read again through `yaml` (JSON is YAML) for the lines.
 */
export function parseConfigDocument(
  text: string,
  format: ConfigFormat,
): { ok: true; document: ParsedDocument } | { ok: false; problems: ConfigProblem[] } {
  if (Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) {
    return { ok: false, problems: [{ path: '', line: null, message: 'the document is larger than 16 MiB' }] };
  }
  const lineCounter = new LineCounter();
  const line = (offset: number) => lineCounter.linePos(offset).line;
  if (format === 'JSON') {
    try {
      JSON.parse(text);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const position = /position (\d+)/.exec(message);
      const counter = new LineCounter();
      parseDocument(text, { lineCounter: counter });
      const at = position ? counter.linePos(Number(position[1])).line : null;
      return { ok: false, problems: [{ path: '', line: at, message: `not valid JSON: ${message}` }] };
    }
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        path: '',
        line: line(error.pos[0]),
        message: `not valid ${format}: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  let value: unknown;
  try {
    // Aliases are expanded, at most 100 of them (a "billion laughs" document is refused).
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problems: [{ path: '', line: null, message: (err as Error).message }] };
  }
  return { ok: true, document: { value: value ?? {}, lineOf: (path) => lineOfPath(doc, path, line) } };
}

function lineOfPath(doc: Document, path: Path, line: (offset: number) => number): number | null {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return line(node.range[0]);
  }
  return null;
}

/** `services[3].headers[0].name` from ['services', 3, 'headers', 0, 'name']. */
export function formatPath(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}
