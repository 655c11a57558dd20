import type { PrismaClient } from '../db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../registry/errors.js';
import { checkLength, checkWellFormed, fail } from '../registry/validation.js';
import { uuidv7 } from '../uuidv7.js';

export const INCIDENT_STATUSES = ['INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentUpdateRow {
  at: Date;
  status: string;
  message: string;
}

export interface IncidentRow {
  id: string;
  title: string;
  status: string;
  startedAt: Date;
  resolvedAt: Date | null;
  serviceIds: string[];
  /** Oldest first. */
  updates: IncidentUpdateRow[];
}

export interface NewIncident {
  title: string;
  status?: string | null;
  message: string;
  serviceIds: string[];
}

export interface Incidents {
  create(input: NewIncident): Promise<IncidentRow>;
  /** Posts an update; its status becomes the incident's (RESOLVED resolves it). */
  update(id: string, status: string, message: string): Promise<IncidentRow>;
  resolve(id: string, message?: string | null): Promise<IncidentRow>;
  get(id: string): Promise<IncidentRow | null>;
  /** The incidents of any of these services, newest first, after the id given. */
  ofServices(serviceIds: readonly string[], limit: number, beforeId?: string | null): Promise<IncidentRow[]>;
  countOfServices(serviceIds: readonly string[]): Promise<number>;
}

const LIMITS = { title: { min: 1, max: 200 }, message: { min: 1, max: 5_000 }, services: 100 };
const include = {
  services: { select: { serviceId: true } },
  updates: { orderBy: { id: 'asc' }, select: { at: true, status: true, message: true } },
} as const;

function toRow(row: {
  id: string;
  title: string;
  status: string;
  startedAt: Date;
  resolvedAt: Date | null;
  services: { serviceId: string }[];
  updates: IncidentUpdateRow[];
}): IncidentRow {
  const { services, ...rest } = row;
  return { ...rest, serviceIds: services.map((s) => s.serviceId) };
}

function checkStatus(status: string): IncidentStatus {
  if (!(INCIDENT_STATUSES as readonly string[]).includes(status)) {
    fail('status', `must be one of ${INCIDENT_STATUSES.join(', ')}`);
  }
  return status as IncidentStatus;
}

function checkMessage(message: string): string {
  const text = message.trim();
  checkLength('message', text, LIMITS.message);
  checkWellFormed('message', text);
  return text;
}

/** Incidents and their updates (INVESTIGATING → IDENTIFIED → MONITORING → RESOLVED). */
export function createIncidents(
  prisma: PrismaClient,
  now: () => Date,
  /** After each change that was written (status pages show incidents live). */
  onChange: (incident: IncidentRow) => void = () => {},
): Incidents {
  const changed = (incident: IncidentRow) => {
    onChange(incident);
    return incident;
  };
  const existing = async (id: string) => {
    const row = await prisma.incident.findUnique({ where: { id }, include });
    if (!row) throw new NotFoundError(`no incident with id ${JSON.stringify(id)}`);
    return row;
  };
  const post = async (id: string, status: IncidentStatus, message: string) => {
    const current = await existing(id);
    if (current.status === 'RESOLVED') throw new ConflictError('this incident is resolved: open a new one');
    const at = now();
    const row = await prisma.incident.update({
      where: { id },
      data: {
        status,
        resolvedAt: status === 'RESOLVED' ? at : null,
        updates: { create: { id: uuidv7(at.getTime()), at, status, message } },
      },
      include,
    });
    return changed(toRow(row));
  };
  const where = (serviceIds: readonly string[]) => ({ services: { some: { serviceId: { in: [...serviceIds] } } } });

  return {
    async create(input) {
      const title = input.title.trim();
      checkLength('title', title, LIMITS.title);
      checkWellFormed('title', title);
      const status = checkStatus(input.status ?? 'INVESTIGATING');
      const message = checkMessage(input.message);
      const serviceIds = [...new Set(input.serviceIds)];
      if (serviceIds.length < 1 || serviceIds.length > LIMITS.services) {
        fail('serviceIds', `1 to ${LIMITS.services} services`);
      }
      const found = new Set(
        (await prisma.service.findMany({ where: { id: { in: serviceIds } }, select: { id: true } })).map((s) => s.id),
      );
      const missing = serviceIds.findIndex((id) => !found.has(id));
      if (missing >= 0) throw new ValidationError(`serviceIds[${missing}]`, 'no service with this id');
      const at = now();
      const row = await prisma.incident.create({
        data: {
          id: uuidv7(at.getTime()),
          title,
          status,
          startedAt: at,
          resolvedAt: status === 'RESOLVED' ? at : null,
          services: { create: serviceIds.map((serviceId) => ({ serviceId })) },
          updates: { create: { id: uuidv7(at.getTime()), at, status, message } },
        },
        include,
      });
      return changed(toRow(row));
    },
    async get(id) {
      const row = await prisma.incident.findUnique({ where: { id }, include });
      return row ? toRow(row) : null;
    },
    update: (id, status, message) => post(id, checkStatus(status), checkMessage(message)),
    resolve: (id, message) => post(id, 'RESOLVED', checkMessage(message ?? 'This incident has been resolved.')),
    async ofServices(serviceIds, limit, beforeId) {
      if (serviceIds.length === 0) return [];
      const rows = await prisma.incident.findMany({
        where: { ...where(serviceIds), ...(beforeId ? { id: { lt: beforeId } } : {}) },
        orderBy: { id: 'desc' },
        take: limit,
        include,
      });
      return rows.map(toRow);
    },
    countOfServices: (serviceIds) =>
      serviceIds.length === 0 ? Promise.resolve(0) : prisma.incident.count({ where: where(serviceIds) }),
  };
}
