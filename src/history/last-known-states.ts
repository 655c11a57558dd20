import type { ServiceState } from '../checks/service-state.js';
import type { PrismaClient } from '../db/database.js';

/** Last known states (of the given services, or all), to seed the cache. */
export async function loadLastKnownStates(
  prisma: PrismaClient,
  serviceIds?: readonly string[],
): Promise<Map<string, ServiceState>> {
  const rows = await prisma.lastKnownState.findMany(
    serviceIds ? { where: { serviceId: { in: [...serviceIds] } } } : undefined,
  );
  return new Map(
    rows.map((row) => [
      row.serviceId,
      {
        status: row.status,
        since: row.since,
        lastCheckedAt: row.lastCheckedAt,
        latencyMs: row.latencyMs,
        httpStatus: row.httpStatus,
        message: row.message,
        reason: row.reason,
        consecutiveFailures: row.consecutiveFailures,
        consecutiveSuccesses: row.consecutiveSuccesses,
        certificateExpiresAt: row.certificateExpiresAt,
        // Heartbeats only: an active check's state has no ping times.
        ...(row.lastPingAt || row.runStartedAt ? { lastPingAt: row.lastPingAt, runStartedAt: row.runStartedAt } : {}),
        ...(row.version > 0n ? { version: Number(row.version) } : {}),
      } satisfies ServiceState,
    ]),
  );
}
