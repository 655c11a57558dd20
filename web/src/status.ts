import type { ServiceStatus } from './generated/graphql';

/** Broken first: what needs a person comes to the top of the list. */
const ORDER: Record<ServiceStatus, number> = {
  DOWN: 0,
  UNREACHABLE: 1,
  DEGRADED: 2,
  UNKNOWN: 3,
  MAINTENANCE: 4,
  PAUSED: 5,
  UP: 6,
};
export const STATUSES: ServiceStatus[] = ['DOWN', 'UNREACHABLE', 'DEGRADED', 'UNKNOWN', 'MAINTENANCE', 'PAUSED', 'UP'];

export const statusRank = (status: string) => ORDER[status as ServiceStatus] ?? 3;

/** Each status has a shape as well as a colour, so colour is never the only signal. */
export const STATUS_ICON: Record<string, string> = {
  UP: '●',
  DOWN: '▼',
  DEGRADED: '◆',
  PAUSED: '❚❚',
  UNKNOWN: '?',
  UNREACHABLE: '○',
  MAINTENANCE: '⚙',
};
export const STATUS_TEXT: Record<string, string> = {
  UP: 'Up',
  DOWN: 'Down',
  DEGRADED: 'Degraded',
  PAUSED: 'Paused',
  UNKNOWN: 'Unknown',
  UNREACHABLE: 'Unreachable',
  MAINTENANCE: 'Maintenance',
};

/** The check kind from the url's scheme (the API's CheckKind names). */
export function kindOf(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  const kinds: Record<string, string> = {
    http: 'HTTP',
    https: 'HTTP',
    tcp: 'TCP',
    tls: 'TLS',
    dns: 'DNS',
    grpc: 'GRPC',
    grpcs: 'GRPC',
    ws: 'WEBSOCKET',
    wss: 'WEBSOCKET',
    postgres: 'POSTGRES',
    postgresql: 'POSTGRES',
    redis: 'REDIS',
    rediss: 'REDIS',
  };
  return kinds[scheme] ?? (url.startsWith('/push/') ? 'HEARTBEAT' : 'HTTP');
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return '–';
  const percent = share * 100;
  return `${percent >= 99.995 ? '100' : percent.toFixed(2)} %`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '–');
