import type { ExecutionResult } from 'graphql';

type Result = ExecutionResult;
type Started = AsyncIterable<Result> | Result;

/**
 * A subscriber that falls further behind than this loses its oldest results (a burst should not
 * buffer without bound); one whose connection takes nothing for STALLED_AFTER_MS while results
 * wait is closed (see README, slow consumers).
 */
export const MAX_QUEUED_RESULTS = 1_000;
export const STALLED_AFTER_MS = 5_000;

export interface SharedSubscriptions {
  /**
   * Joins the group of subscribers that hold the same document, variables and credentials, starting
   * it with `start` if it is the first. The group executes each event once; every member receives
   * the same result. `onStalled` is called when this member's connection stopped taking results.
   */
  join(
    key: string,
    start: () => Promise<Started> | Started,
    onStalled: () => void,
  ): Promise<AsyncGenerator<Result> | Result>;
  readonly groups: number;
  readonly members: number;
}

interface Group {
  members: Set<Member>;
  upstream: AsyncIterator<Result> | null;
  ready: Promise<Started>;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Result> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

class Member implements AsyncGenerator<Result, undefined, unknown> {
  private queue: Result[] = [];
  private waiting: ((r: IteratorResult<Result, undefined>) => void) | null = null;
  private failure: unknown = null;
  private done = false;
  /** When the consumer last took a result. */
  private lastTaken = Date.now();
  dropped = 0;

  constructor(
    private readonly leave: (member: Member) => void,
    private readonly onStalled: () => void,
  ) {}

  push(result: Result): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.lastTaken = Date.now();
      resolve({ value: result, done: false });
      return;
    }
    if (this.queue.length > 0 && Date.now() - this.lastTaken > STALLED_AFTER_MS) {
      this.onStalled();
      this.end();
      return;
    }
    if (this.queue.length >= MAX_QUEUED_RESULTS) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(result);
  }

  end(failure: unknown = null): void {
    if (this.done) return;
    this.done = true;
    this.failure = failure;
    this.leave(this);
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Result, undefined>> {
    this.lastTaken = Date.now();
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure instanceof Error ? failure : new Error(String(failure)));
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<Result, undefined>> {
    this.queue = [];
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err: unknown): Promise<IteratorResult<Result, undefined>> {
    this.end();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): AsyncGenerator<Result, undefined, unknown> {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

/**
 * Execute once, deliver to many: subscribers holding the same operation (same document, variables
 * and credentials: the key says so) share one upstream subscription, so an event costs one
 * execution per distinct operation instead of one per subscriber.
 */
export function createSharedSubscriptions(): SharedSubscriptions {
  const groups = new Map<string, Group>();
  let members = 0;

  const leaveOf = (key: string, group: Group) => (member: Member) => {
    if (!group.members.delete(member)) return;
    members--;
    if (group.members.size > 0) return;
    if (groups.get(key) === group) groups.delete(key);
    void group.upstream?.return?.().catch(() => undefined);
  };

  const pump = async (key: string, group: Group, upstream: AsyncIterator<Result>) => {
    try {
      for (;;) {
        const { value, done } = await upstream.next();
        if (done) break;
        for (const member of group.members) member.push(value);
      }
      for (const member of [...group.members]) member.end();
    } catch (err) {
      for (const member of [...group.members]) member.end(err);
    } finally {
      if (groups.get(key) === group) groups.delete(key);
    }
  };

  return {
    async join(key, start, onStalled) {
      let group = groups.get(key);
      if (!group) {
        const created: Group = { members: new Set(), upstream: null, ready: Promise.resolve().then(start) };
        group = created;
        groups.set(key, created);
        created.ready.then(
          (started) => {
            if (!isAsyncIterable(started)) {
              if (groups.get(key) === created) groups.delete(key);
              return;
            }
            created.upstream = started[Symbol.asyncIterator]();
            if (created.members.size === 0) {
              // Everyone left while it started.
              if (groups.get(key) === created) groups.delete(key);
              void created.upstream.return?.().catch(() => undefined);
              return;
            }
            void pump(key, created, created.upstream);
          },
          () => {
            if (groups.get(key) === created) groups.delete(key);
          },
        );
      }
      const member = new Member(leaveOf(key, group), onStalled);
      group.members.add(member);
      members++;
      const started = await group.ready.catch((err: unknown) => {
        member.end();
        throw err;
      });
      if (!isAsyncIterable(started)) {
        member.end();
        return started;
      }
      return member;
    },
    get groups() {
      return groups.size;
    },
    get members() {
      return members;
    },
  };
}
