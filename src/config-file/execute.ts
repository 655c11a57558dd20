import type { MaintenanceBatch } from '../maintenance/maintenance.js';
import type { ChannelStore } from '../notify/channels.js';
import type { StatusPages } from '../pages/status-pages.js';
import { ConflictError, NotFoundError, ValidationError } from '../registry/errors.js';
import type { RegistryBatch } from '../registry/registry.js';
import type { ConfigProblem } from './document.js';
import type { Step } from './plan.js';
import type { CurrentState } from './state.js';

/** Thrown inside the transaction to roll it back: a write the plan allowed was refused after all. */
export class ApplyRefused extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

export interface Writers {
  registry: RegistryBatch;
  channels: ChannelStore;
  windows: Omit<MaintenanceBatch, 'committed'>;
  pages: StatusPages;
}

const ORDER: Record<Step['kind'], number> = {
  NOTIFICATION_CHANNEL: 0,
  SERVICE: 1,
  MAINTENANCE_WINDOW: 2,
  STATUS_PAGE: 3,
};

/**
 * Performs the plan's writes through the domain's own operations (the same validation and policy as
 * the mutations): channels first (services name them), then services, then their dependencies
 * (a service may depend on one written after it), then windows and pages (they name services);
 * deletions last, in the reverse order.
 */
export async function executeSteps(steps: readonly Step[], state: CurrentState, writers: Writers): Promise<void> {
  const channelIds = new Map([...state.channels].map(([name, row]) => [name, row.id]));
  const serviceIds = new Map([...state.services].map(([name, { row }]) => [name, row.id]));
  const writes = steps
    .filter((step): step is WriteStep => step.op !== 'DELETE')
    .sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  const deletions = steps.filter((step) => step.op === 'DELETE').sort((a, b) => ORDER[b.kind] - ORDER[a.kind]);
  const write = async (step: WriteStep) => {
    if (step.kind === 'NOTIFICATION_CHANNEL') {
      const row =
        step.op === 'CREATE'
          ? await writers.channels.create(step.input, step.marks)
          : await writers.channels.update(step.id!, step.input, step.marks);
      channelIds.set(row.name, row.id);
    } else if (step.kind === 'SERVICE') {
      // Dependencies come once every service exists (below); an update leaves them as they are here.
      const input = {
        ...step.input,
        notificationChannelIds: step.channelNames.map((name) => channelIds.get(name)!),
        dependsOn: undefined,
      };
      const row =
        step.op === 'CREATE'
          ? await writers.registry.register(input, step.marks)
          : await writers.registry.update(step.id!, input, step.marks);
      if (row.paused !== step.paused) await writers.registry.setPaused(row.id, step.paused);
      serviceIds.set(row.name, row.id);
    } else if (step.kind === 'MAINTENANCE_WINDOW') {
      const input = { ...step.input, serviceIds: step.serviceNames.map((name) => serviceIds.get(name)!) };
      if (step.op === 'CREATE') await writers.windows.create(input, step.marks);
      else await writers.windows.update(step.id!, input, step.marks);
    } else if (step.kind === 'STATUS_PAGE') {
      const input = { ...step.input, serviceIds: step.serviceNames.map((name) => serviceIds.get(name)!) };
      if (step.op === 'CREATE') await writers.pages.create(input, step.marks);
      else await writers.pages.update(step.id!, input, step.marks);
    }
  };
  const [first, named] = partition(writes, (step) => ORDER[step.kind] <= ORDER.SERVICE);
  for (const step of first) await refusedAt(step.path, () => write(step));
  for (const step of first) {
    if (step.kind !== 'SERVICE' || step.dependsOn === undefined) continue;
    const dependsOn = step.dependsOn.map((name) => serviceIds.get(name)!);
    await refusedAt(step.path, async () => {
      await writers.registry.update(serviceIds.get(step.input.name)!, { dependsOn });
    });
  }
  for (const step of named) await refusedAt(step.path, () => write(step));
  for (const step of deletions) {
    if (step.op !== 'DELETE') continue;
    await refusedAt(step.path, async () => {
      if (step.kind === 'STATUS_PAGE') await writers.pages.delete(step.id);
      else if (step.kind === 'MAINTENANCE_WINDOW') await writers.windows.delete(step.id);
      else if (step.kind === 'SERVICE') await writers.registry.unregister(step.id);
      else await writers.channels.delete(step.id);
    });
  }
}

type WriteStep = Exclude<Step, { op: 'DELETE' }>;

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** A typed refusal of one write becomes the problem of its object; anything else stays a bug. */
async function refusedAt(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ApplyRefused([
        { path: `${path}.${err.field}`, line: null, message: err.message.slice(err.field.length + 2) },
      ]);
    }
    if (err instanceof ConflictError || err instanceof NotFoundError) {
      throw new ApplyRefused([{ path, line: null, message: `${err.message} (changed while this was applied)` }]);
    }
    throw err;
  }
}
