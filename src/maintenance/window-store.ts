import { Prisma } from '../generated/prisma/client.js';
import { NotFoundError, ValidationError } from '../registry/errors.js';
import { type ProtectManaged, refuseIfManaged } from '../registry/managed.js';
import { type DbClient, marksData, type RowMarks } from '../registry/registry.js';
import { type MaintenanceWindowInput, type ValidWindow, validateWindow } from './window-input.js';

/** A stored maintenance window with the ids of the services it names. */
export interface MaintenanceWindowRow {
  id: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  recurrence: string | null;
  timezone: string;
  labels: string[];
  serviceIds: string[];
  /** "config file" while the CONFIG_FILE manages it. */
  managedBy: string | null;
  /** The ${VAR} references config as code applied, by field. */
  configRefs: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface WindowStore {
  create(input: MaintenanceWindowInput, marks?: RowMarks): Promise<MaintenanceWindowRow>;
  /** Replaces the whole definition. */
  update(id: string, input: MaintenanceWindowInput, marks?: RowMarks): Promise<MaintenanceWindowRow>;
  delete(id: string): Promise<MaintenanceWindowRow>;
  get(id: string): Promise<MaintenanceWindowRow | null>;
  list(): Promise<MaintenanceWindowRow[]>;
  /** The same operations inside a caller's transaction (config as code), without the config file's protection. */
  within(tx: DbClient): WindowStore;
}

export interface WindowStoreOptions {
  guard?: <T>(operation: () => Promise<T>) => Promise<T>;
  /** True while the config file's windows may not be changed here (CONFIG_FILE, not in merge mode). */
  protectManaged?: ProtectManaged;
}

const withServices = { services: { select: { serviceId: true }, orderBy: { serviceId: 'asc' } } } as const;
type Stored = Prisma.MaintenanceWindowGetPayload<{ include: typeof withServices }>;

const toRow = ({ services, ...window }: Stored): MaintenanceWindowRow => ({
  ...window,
  serviceIds: services.map((s) => s.serviceId),
});

/** Maintenance windows in the database: validated, with typed errors naming the field. */
export function createWindowStore(prisma: DbClient, options: WindowStoreOptions = {}): WindowStore {
  const guard = options.guard ?? (<T>(operation: () => Promise<T>) => operation());
  const protect = async (id: string) => {
    if (!options.protectManaged?.()) return;
    const row = await prisma.maintenanceWindow.findUnique({ where: { id }, select: { name: true, managedBy: true } });
    refuseIfManaged(options.protectManaged, row, `maintenance window "${row?.name}"`);
  };
  const checkServices = async (window: ValidWindow) => {
    if (window.serviceIds.length === 0) return;
    const found = new Set(
      (await prisma.service.findMany({ where: { id: { in: window.serviceIds } }, select: { id: true } })).map(
        (s) => s.id,
      ),
    );
    const missing = window.serviceIds.findIndex((id) => !found.has(id));
    if (missing >= 0) throw new ValidationError(`serviceIds[${missing}]`, 'no service with this id');
  };
  const data = (w: ValidWindow) => ({
    name: w.name,
    startsAt: w.startsAt,
    endsAt: w.endsAt,
    recurrence: w.recurrence,
    timezone: w.timezone,
    labels: w.labels,
  });
  const links = (w: ValidWindow) => w.serviceIds.map((serviceId) => ({ serviceId }));
  const translate = async <T>(name: string, id: string | null, write: () => Promise<T>): Promise<T> => {
    try {
      return await guard(write);
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError) {
        if (err.code === 'P2002') throw new ValidationError('name', `a maintenance window named "${name}" exists`);
        if (err.code === 'P2025') throw new NotFoundError(`no maintenance window with id ${JSON.stringify(id)}`);
        // A service deleted between the check and the write.
        if (err.code === 'P2003') throw new ValidationError('serviceIds', 'no service with one of these ids');
      }
      throw err;
    }
  };

  return {
    async create(input, marks) {
      const window = validateWindow(input);
      await guard(() => checkServices(window));
      return toRow(
        await translate(window.name, null, () =>
          prisma.maintenanceWindow.create({
            data: { ...data(window), ...marksData(marks), services: { create: links(window) } },
            include: withServices,
          }),
        ),
      );
    },
    async update(id, input, marks) {
      const window = validateWindow(input);
      await guard(() => protect(id));
      await guard(() => checkServices(window));
      return toRow(
        await translate(window.name, id, () =>
          prisma.maintenanceWindow.update({
            where: { id },
            data: { ...data(window), ...marksData(marks), services: { deleteMany: {}, create: links(window) } },
            include: withServices,
          }),
        ),
      );
    },
    async delete(id) {
      await guard(() => protect(id));
      return toRow(
        await translate('', id, () => prisma.maintenanceWindow.delete({ where: { id }, include: withServices })),
      );
    },
    async get(id) {
      const row = await prisma.maintenanceWindow.findUnique({ where: { id }, include: withServices });
      return row ? toRow(row) : null;
    },
    async list() {
      return (await prisma.maintenanceWindow.findMany({ orderBy: { name: 'asc' }, include: withServices })).map(toRow);
    },
    within: (tx) => createWindowStore(tx),
  };
}
