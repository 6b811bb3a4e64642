/** Imported first by the operator CLI: logs go to stderr (stdout is the command's answer) and only warnings and up. */
process.env.LOG_STREAM ??= 'stderr';
process.env.LOG_LEVEL ??= 'warn';
