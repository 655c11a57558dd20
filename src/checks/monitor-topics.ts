import type { EventBus } from '../events/event-bus.js';
import type { ProbeResult } from '../probe/prober.js';
import type { HeartbeatPing } from './heartbeat-ping.js';
import type { MonitorSink } from './monitor-sink.js';
import type { ServiceState, ServiceStatus } from './service-state.js';

export interface StatusChangedEvent {
  /** The transition's id: its StatusChange row's id (UUIDv7, time-ordered across replicas). */
  id: string;
  serviceId: string;
  previous: ServiceStatus;
  current: ServiceStatus;
  at: Date;
  message: string | null;
  state: ServiceState;
}

export interface CheckCompletedEvent {
  serviceId: string;
  at: Date;
  result: ProbeResult;
  state: ServiceState;
}

export type ServiceChangeKind = 'registered' | 'updated' | 'paused' | 'resumed' | 'unregistered';

export interface ServiceChangedEvent {
  serviceId: string;
  kind: ServiceChangeKind;
}

/** checkServiceNow on a process that does not check the service: the owner is asked. */
export interface CheckRequestedEvent {
  serviceId: string;
}

/** A heartbeat's ping that arrived at a process which does not own the service: for the owner to record. */
export interface HeartbeatPushedEvent {
  serviceId: string;
  ping: HeartbeatPing;
}

/**
 * A token was made or revoked through the API: the other processes read it again at once (a
 * revoked one is refused there too, and its sockets closed). It concerns no service: `serviceId`
 * is always '', and its listeners listen to every event of the topic.
 */
export interface ApiTokenChangedEvent {
  serviceId: '';
  tokenId: string;
  kind: 'created' | 'revoked';
}

/**
 * A maintenance window was created, changed or deleted: every process reloads it. Not about one
 * service, so `serviceId` is empty (listeners subscribe to all).
 */
export interface MaintenanceChangedEvent {
  serviceId: '';
  windowId: string;
}

/** An incident naming the service was opened, updated or resolved (status pages refresh). */
export interface IncidentChangedEvent {
  serviceId: string;
  incidentId: string;
}

/** The topics of the event bus. */
export type MonitorTopics = {
  statusChanged: StatusChangedEvent;
  checkCompleted: CheckCompletedEvent;
  serviceChanged: ServiceChangedEvent;
  checkRequested: CheckRequestedEvent;
  heartbeatPushed: HeartbeatPushedEvent;
  apiTokenChanged: ApiTokenChangedEvent;
  maintenanceChanged: MaintenanceChangedEvent;
  incidentChanged: IncidentChangedEvent;
};

export type MonitorEvents = EventBus<MonitorTopics>;

/** checkCompleted is a firehose: other processes get it in batches; transitions go at once. */
export const EVENT_BATCH_MS = { checkCompleted: 100 };

const DATE_KEYS = new Set(['at', 'since', 'lastCheckedAt', 'certificateExpiresAt', 'lastPingAt', 'runStartedAt']);

/** JSON turns dates into strings; this turns the known date fields back. */
export function reviveEventDates(key: string, value: unknown): unknown {
  return typeof value === 'string' && DATE_KEYS.has(key) ? new Date(value) : value;
}

/** Publishes what the monitor sees: every transition and every finished check. */
export function createEventPublisher(events: MonitorEvents): MonitorSink {
  return {
    statusChanged({ id, service, transition, state }) {
      events.publish('statusChanged', {
        id,
        serviceId: service.id,
        previous: transition.previous,
        current: transition.current,
        at: transition.at,
        message: transition.message,
        state,
      });
    },
    checkCompleted({ service, at, result, state }) {
      events.publish('checkCompleted', { serviceId: service.id, at, result, state });
    },
  };
}

/**
 * Asks, through the event bus, the process that checks a service to check it now, and waits for
 * that check's result to come back on the same bus. Only meaningful when events are shared.
 */
export function requestCheckThrough(events: MonitorEvents) {
  return (serviceId: string, timeoutMs: number): Promise<boolean> => {
    if (!events.shared) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const unsubscribe = events.subscribe('checkCompleted', new Set([serviceId]), (_event, remote) => {
        if (remote) finish(true);
      });
      function finish(answered: boolean) {
        clearTimeout(timer);
        unsubscribe();
        resolve(answered);
      }
      events.publish('checkRequested', { serviceId });
    });
  };
}
