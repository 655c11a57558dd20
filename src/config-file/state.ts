import { createWindowStore, type MaintenanceWindowRow } from '../maintenance/window-store.js';
import type { ChannelRow } from '../notify/channels.js';
import type { StatusPageRow, StatusPages } from '../pages/status-pages.js';
import { dependsOnOf, WITH_DEPENDENCIES } from '../registry/dependency-links.js';
import type { DbClient, ServiceRow } from '../registry/registry.js';

/** Every object config as code manages, as stored, by name (a page's name is its slug). */
export interface CurrentState {
  services: Map<string, { row: ServiceRow; channelIds: string[]; dependsOn: string[] }>;
  channels: Map<string, ChannelRow>;
  windows: Map<string, MaintenanceWindowRow>;
  pages: Map<string, StatusPageRow>;
  serviceNames: Map<string, string>;
  channelNames: Map<string, string>;
}

/** Four statements, whatever the number of objects. */
export async function loadState(client: DbClient, pages: StatusPages): Promise<CurrentState> {
  const [serviceRows, channelRows, windowRows, pageRows] = await Promise.all([
    client.service.findMany({
      include: { notificationChannels: { select: { channelId: true } }, ...WITH_DEPENDENCIES },
    }),
    client.notificationChannel.findMany(),
    createWindowStore(client).list(),
    pages.within(client).list(),
  ]);
  const services = new Map<string, { row: ServiceRow; channelIds: string[]; dependsOn: string[] }>();
  for (const { notificationChannels, dependencies, ...row } of serviceRows) {
    services.set(row.name, {
      row,
      channelIds: notificationChannels.map((link) => link.channelId),
      dependsOn: dependsOnOf({ dependencies }),
    });
  }
  return {
    services,
    channels: new Map(channelRows.map((row) => [row.name, row])),
    windows: new Map(windowRows.map((row) => [row.name, row])),
    pages: new Map(pageRows.map((row) => [row.slug, row])),
    serviceNames: new Map(serviceRows.map((row) => [row.id, row.name])),
    channelNames: new Map(channelRows.map((row) => [row.id, row.name])),
  };
}

/** Names in a stable order (the export's and the plan's). */
export function byName<T>(entries: Iterable<[string, T]>): [string, T][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
