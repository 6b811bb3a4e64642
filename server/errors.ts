/**
 * Errors recognised by a `kind` string rather than `instanceof`: Next.js bundles server code more than once, and the
 * shared services object may throw a class from one bundle that another bundle checks against its own copy.
 */
/** True when `err` or any error in its `cause` chain matches (drivers and ORMs wrap the error that matters). */
export function hasCause(err: unknown, match: (e: { code?: string; constraint_name?: string }) => boolean): boolean {
  for (
    let e = err as { code?: string; constraint_name?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (match(e)) return true;
  }
  return false;
}

/** A unique or foreign-key constraint (by name) refused a write. */
export const isUniqueViolation = (err: unknown, constraint: string) =>
  hasCause(err, (e) => e.code === '23505' && e.constraint_name === constraint);
export const isForeignKeyViolation = (err: unknown, constraint: string) =>
  hasCause(err, (e) => e.code === '23503' && e.constraint_name === constraint);

export function errorKind<K extends string>(kind: K) {
  return class KindedError extends Error {
    readonly kind: K = kind;
    /** Narrows to the class it is called on (a subclass included), whichever bundle threw it. */
    static is<T extends abstract new (...args: never[]) => unknown>(this: T, err: unknown): err is InstanceType<T> {
      return typeof err === 'object' && err !== null && (err as { kind?: unknown }).kind === kind;
    }
  };
}
