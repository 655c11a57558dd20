import type { ProbeResult } from '../../probe/prober.js';
import { NotFoundError, ValidationError } from '../../registry/errors.js';
import { checkDefinitionOf } from '../../registry/registry.js';
import { requireVisibleServiceId } from '../access.js';
import { builder } from '../builder.js';
import { ASSERTION_LIST_COMPLEXITY, AssertionResultObject, CheckPhasesObject } from './assertions.js';
import { CheckFailureReasonEnum } from './enums.js';
import { resultUnion } from './errors.js';
import { RegisterServiceInput, ServicePayload } from './service-mutations.js';

const TestCheckPayload = builder.objectRef<ProbeResult>('TestCheckPayload').implement({
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    degraded: t.exposeBoolean('degraded'),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    httpStatus: t.exposeInt('httpStatus', { nullable: true }),
    reason: t.expose('reason', { type: CheckFailureReasonEnum, nullable: true }),
    message: t.exposeString('message', { nullable: true }),
    certificateExpiresAt: t.expose('certificateExpiresAt', { type: 'DateTime', nullable: true }),
    phases: t.field({
      type: CheckPhasesObject,
      nullable: true,
      description: 'Where the time of the check went.',
      resolve: (result) => result.phases ?? null,
    }),
    assertions: t.field({
      type: [AssertionResultObject],
      complexity: ASSERTION_LIST_COMPLEXITY,
      resolve: (result) => result.assertions ?? [],
    }),
  }),
});

builder.mutationFields((t) => ({
  checkServiceNow: t.field({
    type: ServicePayload,
    description: 'Run one check now, outside the schedule; resolves when it has finished.',
    errors: resultUnion('ServiceResult', [NotFoundError]),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const serviceId = await requireVisibleServiceId(ctx, String(id));
      await ctx.monitor.checkNow(serviceId);
      // Write the transition this check may have caused before answering, so a client that
      // reads statusChanges next sees it. Best effort: if the database refuses, it stays buffered.
      await ctx.history.flush().catch(() => {});
      const service = await ctx.registry.get(serviceId);
      if (!service) throw new NotFoundError(`no service with id ${String(id)}`);
      return { service };
    },
  }),

  testCheck: t.field({
    type: TestCheckPayload,
    description: 'Run one check of an unsaved definition and return its result; nothing is stored.',
    errors: resultUnion('TestCheckResult', [ValidationError]),
    args: { input: t.arg({ type: RegisterServiceInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      return ctx.monitor.testCheck(checkDefinitionOf('test', ctx.registry.validate(input), false));
    },
  }),
}));
