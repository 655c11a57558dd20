import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import { SERVICE_DEFAULTS } from '../../registry/service-input.js';
import { builder } from '../builder.js';
import { HttpMethodEnum } from './enums.js';
import { resultUnion } from './errors.js';
import { ServiceNode } from './service.js';
import { requireServiceId } from './service-ids.js';

const HeaderInput = builder.inputType('HeaderInput', {
  fields: (t) => ({ name: t.string({ required: true }), value: t.string({ required: true }) }),
});

export const RegisterServiceInput = builder.inputType('RegisterServiceInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    url: t.string({ required: true }),
    method: t.field({ type: HttpMethodEnum, defaultValue: SERVICE_DEFAULTS.method }),
    headers: t.field({ type: [HeaderInput] }),
    intervalSeconds: t.int({ defaultValue: SERVICE_DEFAULTS.intervalSeconds }),
    timeoutMs: t.int({ defaultValue: SERVICE_DEFAULTS.timeoutMs }),
    expectedStatus: t.string({ defaultValue: SERVICE_DEFAULTS.expectedStatus }),
    bodyContains: t.string(),
    failureThreshold: t.int({ defaultValue: SERVICE_DEFAULTS.failureThreshold }),
    successThreshold: t.int({ defaultValue: SERVICE_DEFAULTS.successThreshold }),
    degradedAboveMs: t.int(),
    labels: t.stringList(),
  }),
});

const UpdateServiceInput = builder.inputType('UpdateServiceInput', {
  description: 'Every field optional: only what is given changes.',
  fields: (t) => ({
    name: t.string(),
    url: t.string(),
    method: t.field({ type: HttpMethodEnum }),
    headers: t.field({ type: [HeaderInput] }),
    intervalSeconds: t.int(),
    timeoutMs: t.int(),
    expectedStatus: t.string(),
    bodyContains: t.string(),
    failureThreshold: t.int(),
    successThreshold: t.int(),
    degradedAboveMs: t.int(),
    labels: t.stringList(),
  }),
});

export const ServicePayload = builder.simpleObject('ServicePayload', {
  fields: (t) => ({ service: t.field({ type: ServiceNode }) }),
});

const serviceResult = resultUnion('ServiceResult', [NotFoundError]);

builder.mutationFields((t) => ({
  registerService: t.field({
    type: ServicePayload,
    errors: resultUnion('RegisterServiceResult', [ValidationError, ConflictError]),
    args: { input: t.arg({ type: RegisterServiceInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ service: await ctx.registry.register(input) }),
  }),

  updateService: t.field({
    type: ServicePayload,
    errors: resultUnion('UpdateServiceResult', [ValidationError, ConflictError, NotFoundError]),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateServiceInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => ({
      service: await ctx.registry.update(requireServiceId(String(id)), input),
    }),
  }),

  unregisterService: t.field({
    type: ServicePayload,
    errors: serviceResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({ service: await ctx.registry.unregister(requireServiceId(String(id))) }),
  }),

  pauseService: t.field({
    type: ServicePayload,
    errors: serviceResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      service: await ctx.registry.setPaused(requireServiceId(String(id)), true),
    }),
  }),

  resumeService: t.field({
    type: ServicePayload,
    errors: serviceResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      service: await ctx.registry.setPaused(requireServiceId(String(id)), false),
    }),
  }),
}));
