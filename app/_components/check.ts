/**
 * Forms check their input with the server's own zod schemas (one definition of each rule), but load them on first
 * use rather than with the page: zod, linkify-it and the top-level-domain list would otherwise be most of the
 * JavaScript a page parses before anyone can use it. Forms call `preloadSchemas` on first focus, so the chunk
 * arrives while the person types.
 */
const load = () => import('./form-schemas');
type Schemas = Awaited<ReturnType<typeof load>>;

export const preloadSchemas = () => void load();

/** `safeParse` of the named schema, once its chunk has loaded. */
export async function check<K extends keyof Schemas>(name: K, value: unknown) {
  const schema: Schemas[K] = (await load())[name];
  return schema.safeParse(value) as ReturnType<Schemas[K]['safeParse']>;
}
