import { log } from '@/server/log';
import { flushErrors } from './sentry';

/**
 * The last word of a process that meets an error nobody caught. It is logged with its stack (and sent to Sentry when
 * configured) before the process exits with 1, so a crash is never silent and a supervisor restarts a process whose
 * state can no longer be trusted. An unhandled promise rejection is logged the same way; the worker and the CLI
 * exit on it too (Node's own default), the web server does not (Next.js handles its own and keeps serving).
 */
const holder = globalThis as unknown as { __steepleCrashHandlers?: boolean };

export function installCrashHandlers(opts: { exitOnRejection: boolean }) {
  if (holder.__steepleCrashHandlers) return;
  holder.__steepleCrashHandlers = true;
  process.on('uncaughtException', (err) => void fatal('uncaught exception: the process will exit', err, true));
  process.on(
    'unhandledRejection',
    (reason) =>
      void fatal(
        opts.exitOnRejection ? 'unhandled promise rejection: the process will exit' : 'unhandled promise rejection',
        reason,
        opts.exitOnRejection,
      ),
  );
}

async function fatal(message: string, reason: unknown, exit: boolean) {
  const err = reason instanceof Error ? reason : new Error(`non-error thrown: ${String(reason)}`);
  try {
    log.error(message, { err });
    await flushErrors(2_000);
  } finally {
    if (exit) process.exit(1);
  }
}
