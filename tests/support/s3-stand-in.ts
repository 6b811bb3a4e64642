import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server standing in for an S3-compatible store, for tests only: one bucket, path-style requests
 * (`/bucket/key`), and the five calls the S3 picture store makes (PUT, GET and HEAD of an object, DeleteObjects,
 * ListObjectsV2), answered with S3's XML. It turns away (403) any request not signed with `accessKeyId` (only the
 * SigV4 Authorization header's credential is checked, not the signature), and refuses aws-chunked uploads (a client
 * that sends them would fail against R2 and others too). `maxKeys` caps a list page, to test paging.
 */
type S3Object = { bytes: Buffer; contentType: string };
type S3Request = { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders };

export async function s3StandIn(opts: { accessKeyId: string; bucket?: string; maxKeys?: number }) {
  const bucket = opts.bucket ?? 'steeple-test';
  const objects = new Map<string, S3Object>();
  const requests: S3Request[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://s3');
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers });
      answer(req, res, url, Buffer.concat(chunks));
    });
  });

  function answer(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const credential = `AWS4-HMAC-SHA256 Credential=${opts.accessKeyId}/`;
    if (!req.headers.authorization?.startsWith(credential))
      return error(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    const [, name, ...rest] = url.pathname.split('/');
    if (name !== bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    const key = rest.map(decodeURIComponent).join('/');
    const q = url.searchParams;
    if (!key && req.method === 'POST' && q.has('delete')) return deleteObjects(res, body.toString('utf8'));
    if (!key && req.method === 'GET' && q.get('list-type') === '2') return list(res, q);
    if (!key) return error(res, 501, 'NotImplemented', `the stand-in does not do ${req.method} ${url.search}`);
    if (req.method === 'PUT') {
      if (req.headers['content-encoding']?.includes('aws-chunked') || req.headers['x-amz-decoded-content-length'])
        return error(res, 501, 'NotImplemented', 'aws-chunked uploads are not understood here');
      objects.set(key, { bytes: body, contentType: req.headers['content-type'] ?? 'binary/octet-stream' });
      return res.writeHead(200, { etag: '"stand-in"' }).end();
    }
    const found = objects.get(key);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!found) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, { 'content-type': found.contentType, 'content-length': found.bytes.length });
      return res.end(req.method === 'GET' ? found.bytes : undefined);
    }
    return error(res, 501, 'NotImplemented', `the stand-in does not do ${req.method} on an object`);
  }

  function deleteObjects(res: ServerResponse, xml: string) {
    const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
    for (const key of keys) objects.delete(key);
    const quiet = /<Quiet>true<\/Quiet>/.test(xml);
    const deleted = quiet ? '' : keys.map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join('');
    xmlAnswer(res, 200, `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deleted}</DeleteResult>`);
  }

  // The continuation token is the last key of the page before (S3's is opaque): paging survives deleting a page.
  function list(res: ServerResponse, q: URLSearchParams) {
    const prefix = q.get('prefix') ?? '';
    const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
    const max = Math.min(Number(q.get('max-keys') ?? 1000), opts.maxKeys ?? 1000);
    const matching = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = matching.slice(0, max);
    const truncated = matching.length > page.length;
    const contents = page
      .map((k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${objects.get(k)!.bytes.length}</Size></Contents>`)
      .join('');
    const next = truncated ? `<NextContinuationToken>${escapeXml(page.at(-1)!)}</NextContinuationToken>` : '';
    xmlAnswer(
      res,
      200,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name>` +
        `<Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>` +
        `<IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    /** What the bucket holds, by key. */
    objects,
    /** Every request, in arrival order (refused ones too). */
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the SDK keeps its connections alive
      }),
  };
}

const xmlAnswer = (res: ServerResponse, status: number, xml: string) =>
  res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>${xml}`);
const error = (res: ServerResponse, status: number, code: string, message: string) =>
  xmlAnswer(res, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
const unescapeXml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (e) => Object.keys(XML_ESCAPES).find((c) => XML_ESCAPES[c] === e)!);
