import { type Logger, pino } from 'pino';

export type { Logger };

/** Paths that may carry credentials; pino replaces their values before anything is written. */
const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'connectionParams.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'statuschecker',
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
