/**
 * Errors recognised by a `kind` string rather than `instanceof`: Next.js bundles server code more than once, and the
 * shared services object may throw a class from one bundle that another bundle checks against its own copy.
 */
export function errorKind<K extends string>(kind: K) {
  return class KindedError extends Error {
    readonly kind: K = kind;
    static is(err: unknown): boolean {
      return typeof err === 'object' && err !== null && (err as { kind?: unknown }).kind === kind;
    }
  };
}
