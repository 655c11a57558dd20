import type { NotificationChannelInput, RegisterServiceInput } from '../generated/graphql.js';
import { CheckServiceNowDocument, CreateChannelDocument, RegisterServiceDocument } from '../generated/graphql.js';
import type { TestApp } from './app.js';
import type { ReceivedRequest, Receiver } from './receiver.js';
import type { Target } from './target-fixture.js';
import { eventually } from './wait.js';

/** Outbox settings that make tests take seconds instead of minutes: same shape, smaller numbers. */
export const FAST_NOTIFY = {
  outbox: { idleMs: 50, retry: { firstMs: 200, maxMs: 1_000, giveUpAfterMs: 60_000 } },
  attemptTimeoutMs: 1_000,
};

/** The database id inside a GraphQL global id (messages carry database ids). */
export function dbId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');
}

export async function createChannel(
  t: TestApp,
  input: Partial<NotificationChannelInput> & { name: string; url?: string | null },
) {
  const { createNotificationChannel: r } = await t.run(CreateChannelDocument, { input: { kind: 'WEBHOOK', ...input } });
  if (r.__typename !== 'NotificationChannelPayload') throw new Error(JSON.stringify(r));
  return r.channel;
}

/** A service on `target`'s /switch/<name>, checked only when a test says so, UP to begin with. */
export async function registerSwitched(
  t: TestApp,
  target: Target,
  name: string,
  input: Partial<RegisterServiceInput> = {},
) {
  target.respondWith(`/switch/${name}`, 200);
  const { registerService: r } = await t.run(RegisterServiceDocument, {
    input: { name, url: target.url(`/switch/${name}`), intervalSeconds: 3_600, timeoutMs: 5_000, ...input },
  });
  if (r.__typename !== 'ServicePayload') throw new Error(JSON.stringify(r));
  await eventually(
    () => (t.app.testing.cache.get(dbId(r.service.id))?.status === 'UP' ? true : undefined),
    5_000,
    `${name} UP`,
  );
  return r.service;
}

/** Makes the target answer `status` and checks the service now (one transition when it changes). */
export async function flip(t: TestApp, target: Target, name: string, id: string, status: number) {
  target.respondWith(`/switch/${name}`, status);
  const { checkServiceNow } = await t.run(CheckServiceNowDocument, { id });
  if (checkServiceNow.__typename !== 'ServicePayload') throw new Error(JSON.stringify(checkServiceNow));
  return checkServiceNow.service.state;
}

/** Waits until `receiver` got `count` requests matching `filter`, and returns them. */
export async function received(
  receiver: Receiver,
  count: number,
  filter: (r: ReceivedRequest) => boolean = () => true,
  timeoutMs = 10_000,
) {
  return eventually(
    () => {
      const matching = receiver.requests.filter(filter);
      return matching.length >= count ? matching : undefined;
    },
    timeoutMs,
    `${count} requests at the receiver`,
  );
}

export const bodyOf = (r: ReceivedRequest) =>
  JSON.parse(r.body) as {
    deliveryId: string;
    event: string;
    summary: boolean;
    services: {
      id: string;
      name: string;
      previous: string;
      current: string;
      message: string | null;
      reason: string | null;
      since: string;
      link: string | null;
    }[];
  };
