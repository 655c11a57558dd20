import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import type { TargetPolicy } from '../policy/target-policy.js';
import type { EmailOptions } from './channel-input.js';
import { ATTEMPT_TIMEOUT_MS } from './http-transport.js';
import { failure, type MailMessage, type SendOutcome } from './sender.js';

export interface MailTransportOptions {
  policy: TargetPolicy;
  lookup?: LookupFunction;
  timeoutMs?: number;
  /** Extra trusted CAs for SMTP servers (tests: a private CA). */
  ca?: string;
}

/** SMTP replies that mean the message will never be accepted as configured (RFC 5321 5yz). */
const PERMANENT_SMTP = /^5\d\d$/;

/**
 * Sends mail with nodemailer to an address the target policy allows: the SMTP host is resolved
 * here, every address judged, and nodemailer connects to the allowed address (the host name is
 * kept for TLS verification), so a name that resolves somewhere internal is refused at send time.
 */
export function createMailTransport(options: MailTransportOptions) {
  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const lookup = options.lookup ?? (dns.lookup as LookupFunction);
  return async (
    email: EmailOptions,
    password: string | null,
    mail: MailMessage,
    signal: AbortSignal,
  ): Promise<SendOutcome> => {
    const host = email.smtpHost.replace(/^\[|\]$/g, '');
    const address = await allowedAddress(host, lookup, options.policy);
    if ('error' in address) return failure(address.error, address.permanent);
    // Loaded on the first mail: most deployments never send one, and the module costs start-up time.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: address.ip,
      port: email.smtpPort,
      secure: email.tls === 'tls',
      requireTLS: email.tls === 'starttls',
      ignoreTLS: email.tls === 'none',
      auth: email.username ? { user: email.username, pass: password ?? '' } : undefined,
      tls: { servername: net.isIP(host) ? undefined : host, ...(options.ca ? { ca: options.ca } : {}) },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    const abort = () => transport.close();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await transport.sendMail({
        from: email.from,
        to: email.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
      });
      return { ok: true };
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message?: string };
      const permanent = e.responseCode !== undefined && PERMANENT_SMTP.test(String(e.responseCode));
      return failure(
        `SMTP ${e.responseCode ?? e.code ?? 'error'}: ${(e.message ?? String(err)).slice(0, 300)}`,
        permanent,
      );
    } finally {
      signal.removeEventListener('abort', abort);
      transport.close();
    }
  };
}

async function allowedAddress(
  host: string,
  lookup: LookupFunction,
  policy: TargetPolicy,
): Promise<{ ip: string } | { error: string; permanent: boolean }> {
  let candidates: { address: string; family: number }[];
  if (net.isIP(host)) {
    candidates = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      candidates = await new Promise((resolve, reject) =>
        lookup(host, { all: true }, (err, addresses) =>
          err ? reject(err) : resolve(addresses as { address: string; family: number }[]),
        ),
      );
    } catch (err) {
      return { error: `could not resolve SMTP host ${host}: ${(err as Error).message}`, permanent: false };
    }
  }
  let refusal: string | null = null;
  for (const candidate of candidates) {
    const why = policy.check(candidate.address, candidate.family === 6 ? 6 : 4);
    if (why === null) return { ip: candidate.address };
    refusal ??= why;
  }
  return { error: refusal ?? `SMTP host ${host} has no address`, permanent: true };
}
