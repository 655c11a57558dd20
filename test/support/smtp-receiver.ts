import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The username the client authenticated as, if any. */
  user: string | null;
  secure: boolean;
  mail: ParsedMail;
}

export interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** 'tls': TLS from the first byte; 'starttls': plain, upgraded by STARTTLS; 'none': never TLS. */
  tls: 'tls' | 'starttls' | 'none';
  key?: string;
  cert?: string;
  /** Accepted credentials; without, no authentication is offered. */
  credentials?: { username: string; password: string };
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps every mail it is given, parsed. */
export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: options.tls === 'tls',
    ...(options.key ? { key: options.key, cert: options.cert } : {}),
    disabledCommands: [...(options.tls === 'none' ? ['STARTTLS'] : []), ...(options.credentials ? [] : ['AUTH'])],
    authOptional: !options.credentials,
    allowInsecureAuth: options.tls === 'none',
    logger: false,
    onAuth(auth, _session, callback) {
      const c = options.credentials;
      if (c && auth.username === c.username && auth.password === c.password) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : null,
            secure: session.secure,
            mail,
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
