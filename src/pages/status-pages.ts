import { Prisma } from '../generated/prisma/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../registry/errors.js';
import { type ProtectManaged, refuseIfManaged } from '../registry/managed.js';
import { type DbClient, marksData, type RowMarks, type ServiceRow } from '../registry/registry.js';
import { type StatusPageInput, type ValidStatusPage, validateStatusPage } from './page-input.js';

export interface StatusPageRow {
  id: string;
  slug: string;
  title: string;
  description: string | null;
  labels: string[];
  historyDays: number;
  /** The services named, in the order given (labels add more: see `servicesOf`). */
  serviceIds: string[];
  /** "config file" while the config file manages it (see src/config-file). */
  managedBy: string | null;
  /** The ${VAR} references config as code applied, by field. */
  configRefs: Prisma.JsonValue;
  createdAt: Date;
  updatedAt: Date;
}

export interface StatusPages {
  create(input: StatusPageInput, marks?: RowMarks): Promise<StatusPageRow>;
  /** Replaces the whole definition. */
  update(id: string, input: StatusPageInput, marks?: RowMarks): Promise<StatusPageRow>;
  delete(id: string): Promise<StatusPageRow>;
  get(id: string): Promise<StatusPageRow | null>;
  bySlug(slug: string): Promise<StatusPageRow | null>;
  list(): Promise<StatusPageRow[]>;
  /** The page's services: those it names, in order, then those with one of its labels, by name. */
  servicesOf(page: Pick<StatusPageRow, 'id' | 'labels'>): Promise<ServiceRow[]>;
  /** Shown on some status page (named, or by a label): what may be shown without a token. */
  isPublic(service: Pick<ServiceRow, 'id' | 'labels'>): Promise<boolean>;
  /** The same pages on `tx`, a transaction the caller commits (config as code). */
  within(tx: DbClient): StatusPages;
}

const withServices = { services: { orderBy: { position: 'asc' }, select: { serviceId: true } } } as const;
type Stored = Prisma.StatusPageGetPayload<{ include: typeof withServices }>;

const toRow = ({ services, ...page }: Stored): StatusPageRow => ({
  ...page,
  serviceIds: services.map((s) => s.serviceId),
});

/**
 * Status pages: definitions in the database, validated, with typed errors for the API.
 * `protectManaged`: refuse changes to the config file's pages (not inside config as code's `within`).
 */
export function createStatusPages(prisma: DbClient, protectManaged?: ProtectManaged): StatusPages {
  const protect = async (id: string) => {
    if (!protectManaged?.()) return;
    const row = await prisma.statusPage.findUnique({ where: { id }, select: { slug: true, managedBy: true } });
    refuseIfManaged(protectManaged, row, `status page "${row?.slug}"`);
  };
  const checkServices = async (page: ValidStatusPage) => {
    if (page.serviceIds.length === 0) return;
    const found = new Set(
      (await prisma.service.findMany({ where: { id: { in: page.serviceIds } }, select: { id: true } })).map(
        (s) => s.id,
      ),
    );
    const missing = page.serviceIds.findIndex((id) => !found.has(id));
    if (missing >= 0) throw new ValidationError(`serviceIds[${missing}]`, 'no service with this id');
  };
  const data = (page: ValidStatusPage) => ({
    slug: page.slug,
    title: page.title,
    description: page.description,
    labels: page.labels,
    historyDays: page.historyDays,
  });
  const links = (page: ValidStatusPage) => page.serviceIds.map((serviceId, position) => ({ serviceId, position }));
  const translate = async <T>(slug: string, id: string | null, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError) {
        if (err.code === 'P2002') throw new ConflictError(`a status page with slug "${slug}" already exists`);
        if (err.code === 'P2025') throw new NotFoundError(`no status page with id ${JSON.stringify(id)}`);
      }
      throw err;
    }
  };

  return {
    async create(input, marks) {
      const page = validateStatusPage(input);
      await checkServices(page);
      return toRow(
        await translate(page.slug, null, () =>
          prisma.statusPage.create({
            data: { ...data(page), ...marksData(marks), services: { create: links(page) } },
            include: withServices,
          }),
        ),
      );
    },
    async update(id, input, marks) {
      const page = validateStatusPage(input);
      await protect(id);
      await checkServices(page);
      return toRow(
        await translate(page.slug, id, () =>
          prisma.statusPage.update({
            where: { id },
            data: { ...data(page), ...marksData(marks), services: { deleteMany: {}, create: links(page) } },
            include: withServices,
          }),
        ),
      );
    },
    async delete(id) {
      await protect(id);
      return toRow(await translate('', id, () => prisma.statusPage.delete({ where: { id }, include: withServices })));
    },
    async get(id) {
      const row = await prisma.statusPage.findUnique({ where: { id }, include: withServices });
      return row ? toRow(row) : null;
    },
    async bySlug(slug) {
      const row = await prisma.statusPage.findUnique({ where: { slug }, include: withServices });
      return row ? toRow(row) : null;
    },
    async list() {
      return (await prisma.statusPage.findMany({ orderBy: { slug: 'asc' }, include: withServices })).map(toRow);
    },
    within: (tx) => createStatusPages(tx),
    async isPublic(service) {
      const pages = await prisma.statusPage.count({
        where: {
          OR: [
            { services: { some: { serviceId: service.id } } },
            ...(service.labels.length ? [{ labels: { hasSome: service.labels } }] : []),
          ],
        },
      });
      return pages > 0;
    },
    async servicesOf(page) {
      const rows = await prisma.service.findMany({
        where: {
          OR: [
            { statusPages: { some: { pageId: page.id } } },
            ...(page.labels.length ? [{ labels: { hasSome: page.labels } }] : []),
          ],
        },
        include: { statusPages: { where: { pageId: page.id }, select: { position: true } } },
        orderBy: { name: 'asc' },
      });
      const rank = (row: (typeof rows)[number]) => row.statusPages[0]?.position ?? Number.MAX_SAFE_INTEGER;
      return rows.sort((a, b) => rank(a) - rank(b)).map(({ statusPages: _, ...row }) => row);
    },
  };
}
