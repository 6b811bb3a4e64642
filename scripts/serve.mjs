// The HTTP front of the app: Next.js behind a plain node:http server (started by `npm start`, scripts/start.ts).
// It exists for what Next.js cannot do per request on its own:
//   1. the client's address comes from the socket, never from a header the client wrote: it is stamped into
//      x-steeple-peer (any incoming value is overwritten), and server/http/client-address.ts reads it;
//   2. every response carries the security headers, with a fresh CSP nonce that Next.js puts on its own scripts;
//   3. slow or endless requests are cut off by the server's own timeouts.
// Plain JavaScript so it runs under `node` directly, without a TypeScript loader between Next.js and its bundles.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import next from 'next';

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '127.0.0.1';
const https = (process.env.NEXTAUTH_URL ?? '').startsWith('https://');

// Tells server/http/client-address.ts that x-steeple-peer was written by this server, not by a client.
process.env.STEEPLE_HTTP_FRONT = '1';

/** The policy for one response: scripts only from us or carrying this response's nonce (Next.js adds it). */
function contentSecurityPolicy(nonce) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'", // React style attributes; styles cannot run code
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// Only features Chromium knows: an unknown one (such as bluetooth) puts a warning in every page's console.
const PERMISSIONS =
  'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), interest-cohort=(), browsing-topics=()';

/**
 * The largest body any route takes (server/http/limits.ts: the CSV import's); a declared larger one is refused
 * at once.
 */
const MAX_BODY = 11 * 1024 * 1024;
/** After an answer given before the body was read (a 413), how long and how much of the rest is read and dropped. */
const DRAIN_MS = 2_000;
const DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * A client still sending when we answer must get to read the answer: closing with its bytes unread makes the kernel
 * reset the connection, and the 413 is lost. So the rest is read and dropped for a moment, then the socket is closed.
 */
function drainThenClose(req, res) {
  const socket = req.socket; // detached from the request once the response is done
  res.once('finish', () => {
    if (req.complete || socket.destroyed) return;
    let drained = 0;
    const close = () => socket.destroy();
    const timer = setTimeout(close, DRAIN_MS);
    req.on('data', (chunk) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) close();
    });
    req.once('end', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    req.resume();
  });
}

const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  drainThenClose(req, res);
  req.headers['x-steeple-peer'] = req.socket.remoteAddress ?? '';
  const nonce = randomBytes(16).toString('base64');
  const csp = contentSecurityPolicy(nonce);
  req.headers['content-security-policy'] = csp; // where Next.js reads the nonce for its inline scripts
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader('Permissions-Policy', PERMISSIONS);
  res.setHeader('X-Frame-Options', 'DENY'); // frame-ancestors for browsers that predate it
  if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  handle(req, res);
});
// A client that trickles headers or a body is cut off rather than holding a socket for ever.
server.headersTimeout = 20_000;
server.requestTimeout = 60_000;
// `Expect: 100-continue` with a body no route takes: refused before the client sends it.
server.on('checkContinue', (req, res) => {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
    res
      .writeHead(413, { 'content-type': 'application/json', connection: 'close' })
      .end('{"error":"Request body too large"}');
    return;
  }
  res.writeContinue();
  server.emit('request', req, res);
});
server.listen(port, hostname, () => console.log(`Steeple is serving on http://${hostname}:${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    // Let Next.js and the in-process worker finish (boot.ts closes connections on its own signal handlers).
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
