import pino from 'pino';
import { currentContext } from './observability/context';
import { withoutQueryParams } from './observability/redact';
import { reportError } from './observability/sentry';

/**
 * Structured logs: one JSON line per event on stdout, details for operators, never shown to users. Each line
 * carries the request's id, church and procedure when known; secrets and message contents are redacted at any depth.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

// process.stdout rather than pino's own fd writer, so anything that observes stdout (tests) sees the lines too.
// LOG_STREAM=stderr keeps stdout for a command's own output (the operator CLI's --json).
const logger = pino(
  {
    level: 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: (err: unknown) => err }, // errors are already {name, message, stack, code}, from clean()
    // A copy: pino merges the line's own fields into what mixin returns.
    mixin: () => ({ ...currentContext() }),
  },
  process.env.LOG_STREAM === 'stderr' ? process.stderr : process.stdout,
);

// Keys whose values never reach a log line: credentials, tax ids, and what people wrote (texts, request bodies).
const SECRET = /passw|secret|token|ticket|authori[sz]ation|cookie|api_?key/i;
const CONTENT = new Set(['body', 'text', 'raw', 'payload', 'ein', 'excerpt']);
const isPrivate = (key: string) => SECRET.test(key) || CONTENT.has(key.toLowerCase());
const MAX_DEPTH = 6;

function clean(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const { name, message, stack } = withoutQueryParams(value);
    // The cause is often the part that says what happened (drizzle wraps the database's own error).
    const cause = value.cause !== undefined && depth < MAX_DEPTH ? clean(value.cause, depth + 1) : undefined;
    return { name, message, stack, code: (value as { code?: unknown }).code, ...(cause !== undefined && { cause }) };
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, isPrivate(k) ? '[redacted]' : clean(v, depth + 1)]),
  );
}

/** The request's id, church and procedure, for an error report; a tenantId in the fields wins over the context's. */
function tagsFor(fields?: Fields): Record<string, string> {
  const tags = { ...currentContext(), ...(typeof fields?.tenantId === 'string' && { tenantId: fields.tenantId }) };
  return Object.fromEntries(Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function emit(level: Level, msg: string, fields?: Fields) {
  if (level === 'error') {
    const err = fields && Object.values(fields).find((v): v is Error => v instanceof Error);
    if (err) reportError(withoutQueryParams(err), tagsFor(fields), msg);
  }
  // Read on every call, so LOG_LEVEL can be changed while the process runs (tests do).
  const wanted = process.env.LOG_LEVEL && LEVELS.includes(process.env.LOG_LEVEL) ? process.env.LOG_LEVEL : 'info';
  if (logger.level !== wanted) logger.level = wanted;
  if (!logger.isLevelEnabled(level)) return;
  logger[level](fields ? (clean(fields) as Fields) : {}, msg);
}

export const log = {
  debug: (msg: string, f?: Fields) => emit('debug', msg, f),
  info: (msg: string, f?: Fields) => emit('info', msg, f),
  warn: (msg: string, f?: Fields) => emit('warn', msg, f),
  error: (msg: string, f?: Fields) => emit('error', msg, f),
};
