import { kindOf, statusRank } from '../status';
import type { Row } from './services-store';

export interface Filters {
  status: string;
  label: string;
  kind: string;
  q: string;
}

export const FILTER_KEYS = ['status', 'label', 'kind', 'q'] as const;

export function filtersFrom(url: URL): Filters {
  const get = (key: string) => url.searchParams.get(key) ?? '';
  return { status: get('status'), label: get('label'), kind: get('kind'), q: get('q') };
}

export function filtersToSearch(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** The rows the filters let through, broken ones first, then by name. */
export function visibleRows(rows: Iterable<Row>, filters: Filters): Row[] {
  const q = filters.q.trim().toLowerCase();
  const out: Row[] = [];
  for (const row of rows) {
    if (filters.status && row.state.status !== filters.status) continue;
    if (filters.label && !row.labels.includes(filters.label)) continue;
    if (filters.kind && kindOf(row.url) !== filters.kind) continue;
    if (q && !row.name.toLowerCase().includes(q)) continue;
    out.push(row);
  }
  return out.sort((a, b) => statusRank(a.state.status) - statusRank(b.state.status) || a.name.localeCompare(b.name));
}

export function allLabels(rows: Iterable<Row>): string[] {
  const labels = new Set<string>();
  for (const row of rows) for (const label of row.labels) labels.add(label);
  return [...labels].sort();
}

export function countByStatus(rows: Iterable<Row>): Record<string, number> {
  const counts: Record<string, number> = {
    total: 0,
    UP: 0,
    DOWN: 0,
    DEGRADED: 0,
    PAUSED: 0,
    UNKNOWN: 0,
    UNREACHABLE: 0,
    MAINTENANCE: 0,
  };
  for (const row of rows) {
    counts.total!++;
    counts[row.state.status] = (counts[row.state.status] ?? 0) + 1;
  }
  return counts;
}
