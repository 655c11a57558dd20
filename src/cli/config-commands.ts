import { readFile } from 'node:fs/promises';
import { type CliClient, CliError, EXIT } from './client.js';
import { CliApplyConfigDocument, type CliApplyConfigMutation, CliExportConfigDocument } from './generated/graphql.js';

type Result = CliApplyConfigMutation['applyConfig'];
type Plan = Extract<Result, { __typename: 'ConfigPlan' }>;

export interface ConfigOptions {
  file: string;
  prune: boolean;
  json: boolean;
  detailedExitcode?: boolean;
}

/** The document's format from its name: .json is JSON, anything else YAML. */
const formatOf = (file: string) => (file.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML');

async function readDocument(file: string): Promise<string> {
  try {
    return await readFile(file === '-' ? '/dev/stdin' : file, 'utf8');
  } catch (err) {
    throw new CliError(`-f ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.USAGE);
  }
}

/** The plan as a person reads it, one change per line, with a count at the end. */
export function formatPlan(plan: Plan): string {
  const changed = plan.changes.filter((c) => c.action !== 'UNCHANGED');
  const lines = changed.map(
    (c) => `${c.action.padEnd(9)} ${c.kind.padEnd(20)} ${c.name}${c.fields.length ? `  (${c.fields.join(', ')})` : ''}`,
  );
  const count = (action: string) => plan.changes.filter((c) => c.action === action).length;
  lines.push(
    `${count('CREATE')} to create, ${count('UPDATE')} to update, ${count('DELETE')} to delete, ${count('UNCHANGED')} unchanged` +
      (plan.applied ? ': applied' : ''),
  );
  return `${lines.join('\n')}\n`;
}

const formatErrors = (result: Extract<Result, { __typename: 'ConfigErrors' }>, file: string) =>
  `${result.message}\n${result.errors
    .map((e) => `${file}${e.line ? `:${e.line}` : ''}: ${e.path}: ${e.message}`)
    .join('\n')}\n`;

/**
 * `plan` (dryRun) and `apply`: the server validates the whole document and answers with the plan,
 * or with every problem and its line. Exit 1 for an invalid document; with --detailed-exitcode,
 * `plan` exits 2 when there is something to change (as Terraform's does).
 */
export async function configCommand(
  client: CliClient,
  apply: boolean,
  options: ConfigOptions,
  write: (text: string) => void,
  warn: (text: string) => void,
): Promise<number> {
  const document = await readDocument(options.file);
  const { applyConfig } = await client.request(CliApplyConfigDocument, {
    document,
    format: formatOf(options.file),
    dryRun: !apply,
    prune: options.prune,
  });
  if (options.json) write(`${JSON.stringify(applyConfig, null, 2)}\n`);
  if (applyConfig.__typename === 'ConfigErrors') {
    if (!options.json) warn(formatErrors(applyConfig, options.file));
    return EXIT.FAILED;
  }
  if (applyConfig.__typename !== 'ConfigPlan')
    throw new CliError('unexpected answer from applyConfig', EXIT.UNAVAILABLE);
  if (!options.json) write(formatPlan(applyConfig));
  const pending = applyConfig.changes.some((c) => c.action !== 'UNCHANGED');
  return !apply && options.detailedExitcode && pending ? EXIT.CHANGES : EXIT.OK;
}

/** `export`: every object as the server writes it (YAML, or JSON with --format json). */
export async function exportCommand(client: CliClient, format: string, write: (text: string) => void): Promise<number> {
  const upper = format.toUpperCase();
  if (upper !== 'YAML' && upper !== 'JSON') throw new CliError(`--format: yaml or json, not ${format}`, EXIT.USAGE);
  const { exportConfig } = await client.request(CliExportConfigDocument, { format: upper });
  write(exportConfig.endsWith('\n') ? exportConfig : `${exportConfig}\n`);
  return EXIT.OK;
}
