import type { MonitorSink } from '../checks/monitor-sink.js';
import type { StatusCache } from '../checks/status-cache.js';
import { CHECK_PHASES, type CheckPhases } from '../probe/prober.js';
import type { Metrics } from './metrics.js';

/**
 * Keeps the per-service series in step with the monitor. A removed service's series go at once; a
 * renamed one's start again under the new name, so the old name vanishes from the exposition.
 */
export function createCheckMetrics(metrics: Metrics, cache: StatusCache): MonitorSink {
  const { services } = metrics;
  const phaseSeries = CHECK_PHASES.map((phase) => {
    const key = `${phase}Ms` as keyof CheckPhases;
    return { key, series: metrics.checkPhaseSeconds.labels(phase) };
  });
  return {
    serviceDefined(service) {
      services.define(
        service.id,
        service.name,
        cache.get(service.id)?.status ?? (service.paused ? 'PAUSED' : 'UNKNOWN'),
      );
    },

    serviceRemoved(service) {
      services.remove(service.id);
    },

    checkCompleted({ service, result }) {
      const outcome = result.ok
        ? result.degraded
          ? 'degraded'
          : 'success'
        : (result.reason ?? 'network').toLowerCase();
      services.observe(service.id, result.latencyMs / 1000, outcome);
      const { phases } = result;
      if (phases !== undefined) {
        for (const { key, series } of phaseSeries) {
          const ms = phases[key];
          if (ms !== null) series.observe(ms / 1000);
        }
      }
      if (result.certificateExpiresAt) {
        services.setCertificateExpiry(service.id, Math.floor(result.certificateExpiresAt.getTime() / 1000));
      }
    },

    statusChanged({ service, transition }) {
      metrics.statusChangesTotal.inc({ status: transition.current });
      services.setStatus(service.id, transition.current);
    },
  };
}
