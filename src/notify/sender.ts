import type { ChannelKind, EmailOptions } from './channel-input.js';
import type { Notification } from './message.js';

/** A channel as a sender needs it, secret opened. */
export interface ResolvedChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  url: string | null;
  secret: string | null;
  email: EmailOptions | null;
}

/** The result of one attempt. A failure is data: senders never throw for a misbehaving receiver. */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      error: string;
      /** Retrying cannot help (a 4xx other than 408/429, a refused address): FAILED at once. */
      permanent: boolean;
      /** The receiver asked to wait this long (429/503 Retry-After). */
      retryAfterMs?: number;
    };

/** How senders reach the outside: every connection goes through the target policy. */
export interface Transports {
  postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<SendOutcome>;
  sendMail(
    options: EmailOptions,
    password: string | null,
    mail: MailMessage,
    signal: AbortSignal,
  ): Promise<SendOutcome>;
}

export interface MailMessage {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** One module per channel kind implements this (notify/<kind>/), registered in senders.ts. */
export interface ChannelSender {
  readonly kind: ChannelKind;
  send(
    notification: Notification,
    channel: ResolvedChannel,
    transports: Transports,
    signal: AbortSignal,
  ): Promise<SendOutcome>;
}

export function failure(error: string, permanent = false): SendOutcome {
  return { ok: false, error, permanent };
}
