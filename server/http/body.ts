/**
 * Request bodies read with a ceiling (server/http/limits.ts says how high). The stream is read chunk by chunk and
 * abandoned the moment it passes the limit, so an endless or huge body costs at most `max` bytes of memory and is
 * answered 413 at once — never read to its end.
 */

/** The body as bytes, or null when it is (or announces itself as) larger than `max`. */
export async function readBody(request: Request, max: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > max) return null;
  return request.body ? readStream(request.body, max) : new Uint8Array(0);
}

/** A stream's bytes, or null as soon as it passes `max` (the rest is never pulled). */
export async function readStream(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {}); // stop reading; the rest is never pulled off the socket
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function readText(request: Request, max: number): Promise<string | null> {
  const bytes = await readBody(request, max);
  return bytes && new TextDecoder().decode(bytes);
}

/** The same request with its (already read) body in memory, for handlers that read it themselves. */
export function withBody(request: Request, body: Uint8Array): Request {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? (body as BodyInit) : undefined,
    signal: request.signal,
  });
}

/** 413. The rest of the body is never read here; scripts/serve.mjs drains it briefly, then closes the connection. */
export const tooLarge = () => Response.json({ error: 'Request body too large' }, { status: 413 });
