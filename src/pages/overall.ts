import type { ServiceStatus } from '../checks/service-state.js';

export const OVERALL = [
  'ALL_OPERATIONAL',
  'DEGRADED_PERFORMANCE',
  'PARTIAL_OUTAGE',
  'MAJOR_OUTAGE',
  'MAINTENANCE',
] as const;
export type Overall = (typeof OVERALL)[number];

/** What a person reads in the banner. */
export const OVERALL_TEXT: Record<Overall, string> = {
  ALL_OPERATIONAL: 'All systems operational',
  DEGRADED_PERFORMANCE: 'Degraded performance',
  PARTIAL_OUTAGE: 'Partial outage',
  MAJOR_OUTAGE: 'Major outage',
  MAINTENANCE: 'Maintenance',
};

/**
 * The banner of a page from its services' statuses: any DOWN is an outage (major when every
 * service that is being checked is down), else DEGRADED is degraded performance, else maintenance
 * when any is in a maintenance window. Paused and not yet checked services do not count.
 */
export function overallOf(statuses: readonly (ServiceStatus | 'MAINTENANCE' | 'UNREACHABLE')[]): Overall {
  const counted = statuses.filter((s) => s !== 'PAUSED' && s !== 'UNKNOWN');
  const down = counted.filter((s) => s === 'DOWN' || s === 'UNREACHABLE').length;
  if (down > 0) return down === counted.length ? 'MAJOR_OUTAGE' : 'PARTIAL_OUTAGE';
  if (counted.includes('DEGRADED')) return 'DEGRADED_PERFORMANCE';
  if (counted.includes('MAINTENANCE')) return 'MAINTENANCE';
  return 'ALL_OPERATIONAL';
}
