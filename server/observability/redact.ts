/**
 * Drizzle writes a failed query's parameters into its error's message, and so its stack: a text's body, an email,
 * a password hash. Logs and error reports get a copy of the error that keeps the query and drops the values.
 */
export function withoutQueryParams(err: Error): Error {
  const params = (err as { params?: unknown }).params;
  if (!Array.isArray(params)) return err;
  const leaked = `\nparams: ${params}`; // exactly as DrizzleQueryError formats them
  const hidden = '\nparams: [redacted]';
  const copy = new Error(
    err.message.replace(leaked, () => hidden),
    { cause: err.cause },
  );
  return Object.assign(copy, { name: err.name, stack: err.stack?.replace(leaked, () => hidden) });
}
