import type { ConfigChange, ConfigPlan, ConfigProblem } from '../../config-file/config-as-code.js';
import { CONFIG_FORMATS } from '../../config-file/document.js';
import { CONFIG_ACTIONS } from '../../config-file/plan.js';
import { builder } from '../builder.js';
import { ErrorInterface } from './errors.js';

const ConfigFormatEnum = builder.enumType('ConfigFormat', { values: CONFIG_FORMATS });
const ConfigActionEnum = builder.enumType('ConfigAction', { values: CONFIG_ACTIONS });

const ConfigChangeObject = builder.objectRef<ConfigChange>('ConfigChange').implement({
  fields: (t) => ({
    action: t.expose('action', { type: ConfigActionEnum }),
    kind: t.exposeString('kind', { description: 'SERVICE, NOTIFICATION_CHANNEL, MAINTENANCE_WINDOW, STATUS_PAGE' }),
    name: t.exposeString('name', { description: "The object's name (a status page's slug)." }),
    fields: t.exposeStringList('fields', { description: 'Fields that differ, for UPDATE.' }),
  }),
});

const ConfigPlanObject = builder.objectRef<ConfigPlan>('ConfigPlan').implement({
  fields: (t) => ({
    changes: t.field({ type: [ConfigChangeObject], resolve: (plan) => plan.changes }),
    applied: t.exposeBoolean('applied', { description: 'False for a dry run (nothing was written).' }),
  }),
});

/**
 * One problem of a document. A plain object, not an Error instance: GraphQL treats an Error found
 * in a list as a failure of that item.
 */
interface ConfigError extends ConfigProblem {
  name: 'ConfigError';
}

/** Every problem of a document at once: nothing was applied. */
export class ConfigErrors extends Error {
  override readonly name = 'ConfigErrors';
  readonly errors: ConfigError[];
  constructor(problems: readonly ConfigProblem[]) {
    const first = problems[0];
    super(
      `the document has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was applied` +
        (first
          ? ` (first: ${first.path || 'document'}${first.line ? ` line ${first.line}` : ''}: ${first.message})`
          : ''),
    );
    this.errors = problems.map((problem) => ({ ...problem, name: 'ConfigError' as const }));
  }
}

const ConfigErrorObject = builder.objectRef<ConfigError>('ConfigError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({
    path: t.exposeString('path', {
      description: 'Where in the document: "services[3].url", with the line when known.',
    }),
    line: t.exposeInt('line', { nullable: true, description: 'The line (1-based) the path starts on.' }),
  }),
});

builder.objectType(ConfigErrors, {
  name: 'ConfigErrors',
  interfaces: [ErrorInterface],
  fields: (t) => ({ errors: t.field({ type: [ConfigErrorObject], resolve: (error) => error.errors }) }),
});

builder.queryFields((t) => ({
  exportConfig: t.string({
    description:
      'Every service, notification channel and status page as one document, in a stable order, defaults left out. ' +
      'Secrets are written as the ${ENV_VAR} references they were applied from, or left out with a comment: never in clear. ' +
      'For a token limited to labels: its services only, without channels, windows, pages or links outside its labels.',
    args: { format: t.arg({ type: ConfigFormatEnum, defaultValue: 'YAML' }) },
    resolve: (_root, { format }, ctx) =>
      ctx.configAsCode.exportConfig(
        format ?? 'YAML',
        ctx.principal.labels === null ? null : { labels: ctx.principal.labels },
      ),
  }),
}));

builder.mutationFields((t) => ({
  applyConfig: t.field({
    type: ConfigPlanObject,
    description:
      'Checks the whole document (every problem at once, with its path and line) and plans it against what is stored: ' +
      'objects are matched by name. With dryRun false the plan is applied in one transaction, all or nothing; ' +
      "prune deletes what the document does not name. ${VAR} references are read from the server's environment.",
    errors: {
      types: [ConfigErrors],
      directResult: true as const,
      result: { name: 'ApplyConfigPlan' },
      union: { name: 'ApplyConfigResult' },
    },
    args: {
      document: t.arg.string({ required: true }),
      format: t.arg({ type: ConfigFormatEnum, defaultValue: 'YAML' }),
      dryRun: t.arg.boolean({ defaultValue: true }),
      prune: t.arg.boolean({ defaultValue: false }),
    },
    resolve: async (_root, args, ctx) => {
      const result = await ctx.configAsCode.applyConfig(
        args.document,
        args.format ?? 'YAML',
        args.dryRun ?? true,
        args.prune ?? false,
        { source: 'api', actor: ctx.principal.actor },
      );
      if (!result.ok) throw new ConfigErrors(result.problems);
      return result.plan;
    },
  }),
}));
