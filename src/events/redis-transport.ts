import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RemoteTransport } from './event-bus.js';

export interface RedisTransportOptions {
  url: string;
  logger: Logger;
  /** Channel prefix, so several deployments can share one Redis. */
  prefix?: string;
}

const ERROR_LOG_EVERY_MS = 10_000;

/**
 * Events between processes over Redis pub/sub, through @graphql-yoga/redis-event-target. Redis
 * trouble never reaches the process: every command's promise is handled, publishing while
 * disconnected drops the message at once instead of queueing without bound (pub/sub delivers at
 * most once anyway; caches reload from the database after a reconnect), and reconnects are logged.
 */
export function createRedisTransport(options: RedisTransportOptions): RemoteTransport {
  const log = options.logger.child({ component: 'redis' });
  const prefix = options.prefix ?? 'statuschecker:';
  const publisher = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  const subscriber = new Redis(options.url, { autoResubscribe: true, maxRetriesPerRequest: null, lazyConnect: false });
  const resetCallbacks: (() => void)[] = [];
  let lastErrorLogAt = 0;
  let dropped = 0;
  let everReady = false;
  let lost = false;

  const onError = (role: string) => (err: Error) => {
    const now = Date.now();
    if (now - lastErrorLogAt > ERROR_LOG_EVERY_MS) {
      lastErrorLogAt = now;
      log.warn({ err, role }, 'redis connection error; retrying');
    }
  };
  publisher.on('error', onError('publisher'));
  subscriber.on('error', onError('subscriber'));
  subscriber.on('close', () => {
    if (everReady && !lost) {
      lost = true;
      log.warn('redis connection lost: events from other processes are paused');
    }
  });
  subscriber.on('ready', () => {
    if (!everReady) {
      everReady = true;
      log.info('redis connected');
      return;
    }
    if (lost) {
      lost = false;
      log.info({ droppedWhileDisconnected: dropped }, 'redis reconnected: resynchronising from the database');
      dropped = 0;
      for (const callback of resetCallbacks) {
        try {
          callback();
        } catch (err) {
          log.error({ err }, 'redis reset callback failed');
        }
      }
    }
  });

  // The event target calls these without handling their promises; the facades do.
  const publishFacade = {
    publish: (channel: string, message: string) =>
      publisher.publish(channel, message).catch(() => {
        dropped++;
        return 0;
      }),
  };
  const subscribeFacade = {
    on: (event: string, listener: (channel: string, message: string) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) =>
      subscriber
        .subscribe(channel)
        .catch((err: unknown) => log.warn({ err, channel }, 'redis subscribe failed; retried on reconnect')),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(() => undefined),
  };
  const target = createRedisEventTarget({
    publishClient: publishFacade as unknown as Redis,
    subscribeClient: subscribeFacade as unknown as Redis,
    // The event bus sends and parses its own JSON (and drops what does not parse).
    serializer: { stringify: (message: unknown) => String(message), parse: (message: string) => message },
  });

  return {
    send(topic, message) {
      target.dispatchEvent(new CustomEvent(prefix + topic, { detail: message }));
    },
    listen(topic, onMessage) {
      target.addEventListener(prefix + topic, ((event: CustomEvent<string>) =>
        onMessage(event.detail)) as EventListener);
    },
    onReset(callback) {
      resetCallbacks.push(callback);
    },
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
