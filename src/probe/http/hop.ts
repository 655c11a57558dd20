import type { Client, Dispatcher } from 'undici';
import { BODY_LIMIT_BYTES, type BodySearch } from './body.js';

/** What a hop reports to: its check. */
export interface HopOwner {
  onRequestStart(hop: Hop): void;
  onResponseStart(hop: Hop, statusCode: number, headers: Record<string, string | string[] | undefined>): void;
  onBody(hop: Hop, chunk: Buffer): void;
  onBodyEnd(): void;
  onError(hop: Hop, err: unknown): void;
  /** The drained response `hop` is over. */
  drained(hop: Hop): void;
  /** Fresh mode: `client` is destroyed. */
  forget(client: Client): void;
  /** A bug: still a result, never an exception. */
  crash(err: unknown): void;
}

const DONE = new Error('check finished');

/**
 * waiting: not answered yet (maybe not even on a connection); response: headers in, being judged;
 * search: body searched for `bodyContains`; collect: body kept (first 64 KiB) for assertions;
 * drain: judged (or redirected), body read and thrown away so that the connection can be reused;
 * dead: nothing more to do.
 */
export type HopRole = 'waiting' | 'response' | 'search' | 'collect' | 'drain' | 'dead';

/** One request of a check, as an undici dispatch handler; every callback reports to its check. */
export class Hop implements Dispatcher.DispatchHandler {
  role: HopRole = 'waiting';
  /** Counted in the context's `waiting` until it is on a connection or over. */
  waiting = true;
  controller: Dispatcher.DispatchController | null = null;
  bytes = 0;
  search: BodySearch | null = null;
  /** When the request went out on a connection, and when the response's head arrived. */
  requestAt = 0;
  responseAt = 0;
  /** collect: the chunks kept so far (at most 64 KiB in all). */
  chunks: Buffer[] | null = null;

  constructor(
    readonly check: HopOwner,
    readonly origin: string,
    readonly https: boolean,
    /** Fresh mode: this hop's own Client. */
    private client: Client | null,
  ) {}

  /** Nothing more to do: abort the request if it is still going, and close a fresh-mode connection. */
  kill(): void {
    this.role = 'dead';
    this.controller?.abort(DONE);
    const client = this.client;
    if (client === null) return;
    this.client = null;
    this.check.forget(client);
    client.destroy().catch(() => {});
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    try {
      this.controller = controller;
      this.check.onRequestStart(this);
      if (this.role === 'dead') this.kill();
    } catch (err) {
      this.check.crash(err);
    }
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200 || this.role !== 'waiting') return;
    this.role = 'response';
    try {
      this.check.onResponseStart(this, statusCode, headers);
    } catch (err) {
      this.check.crash(err);
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    try {
      if (this.role === 'search' || this.role === 'collect') {
        this.check.onBody(this, chunk);
      } else if (this.role === 'drain') {
        this.bytes += chunk.length;
        if (this.bytes > BODY_LIMIT_BYTES) this.endDrain(true);
      }
    } catch (err) {
      this.check.crash(err);
    }
  }

  onResponseEnd(): void {
    try {
      if (this.role === 'search' || this.role === 'collect') this.check.onBodyEnd();
      else if (this.role === 'drain') this.endDrain(false);
    } catch (err) {
      this.check.crash(err);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    try {
      if (this.role === 'drain') this.endDrain(false);
      else if (this.role !== 'dead') this.check.onError(this, err);
      this.kill();
    } catch (bug) {
      this.check.crash(bug);
    }
  }

  /** The drained body is over, or too long (`abort`). */
  private endDrain(abort: boolean): void {
    if (abort) this.kill();
    else this.role = 'dead';
    this.check.drained(this);
  }
}
