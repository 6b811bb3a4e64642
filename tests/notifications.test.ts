import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Job, JobHelpers } from 'graphile-worker';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { issueFormToken } from '@/server/connect-card/form-token';
import { loadConfig } from '@/server/config';
import { nextDigestAt } from '@/server/notifications/digest';
import { digestTask, emailTask, pushTask } from '@/server/notifications/jobs';
import { subscribePush } from '@/server/notifications/settings';
import { DIGEST_TASK, EMAIL_TASK, PUSH_TASK } from '@/server/notifications/wake';
import {
  addTeammate,
  caller,
  errorOf,
  freshIp,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
} from './support/accounts';
import { createMessagingRegistry, insertMembers, queuedJobs, type MessagingRegistry } from './support/messaging';
import { personNumber, postSigned, received, routeNumberTo } from './support/webhooks';
import { until } from './support/harness';
import { sweepNotifications } from '@/server/jobs/maintenance';
import { startWorker } from '@/server/jobs/worker';
import { forUsers } from '@/server/tenancy/availability';

/**
 * Staff notifications (server/notifications/), against real parts: texts arrive through the signed webhook, email
 * goes over SMTP to a listener here (a few lines of the protocol, below), browser notifications go through web-push
 * to an HTTPS stand-in for a push service that checks the VAPID signature and decrypts what it was sent. The jobs are
 * the worker's own task functions, called here; "a minute later" is played by moving the rows' times back a minute.
 */

// ------------------------------------------------------------------------------------------------
// A mail server that takes everything (or refuses, when asked) and keeps what it took.
// ------------------------------------------------------------------------------------------------

type Mail = { to: string[]; subject: string; text: string; messageId: string };

const qp = (s: string) =>
  Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
const words = (s: string) =>
  s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, t: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(t, 'base64').toString('utf8') : qp(t.replace(/_/g, ' ')),
    );

function parseMail(to: string[], data: string): Mail {
  const unstuffed = data.replace(/^\.\./gm, '.');
  const split = unstuffed.indexOf('\r\n\r\n');
  const head = unstuffed.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = unstuffed.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'quoted-printable' ? qp(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString() : body;
  return { to, subject: words(header('Subject')), text: text.replace(/\r\n/g, '\n'), messageId: header('Message-ID') };
}

class SmtpSink {
  readonly mails: Mail[] = [];
  /** Refuse the next messages at the end of DATA (a mail server having a bad moment). */
  refuse = 0;
  /** How it refuses: for now (4xx, the default) or for good (5xx). */
  refusal = '451 try again later';
  private server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    socket.write('220 sink ESMTP\r\n');
    let buffer = '';
    let inData = false;
    let rcpt: string[] = [];
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          if (this.refuse > 0) {
            this.refuse--;
            socket.write(`${this.refusal}\r\n`);
          } else {
            this.mails.push(parseMail(rcpt, data));
            socket.write('250 queued\r\n');
          }
          rcpt = [];
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (verb === 'RCPT') {
          rcpt.push(/<(.*)>/.exec(line)?.[1] ?? '');
          socket.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') return void socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n'); // MAIL, RSET, NOOP
      }
    });
    socket.on('error', () => {});
  });
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `smtp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** What `email` was sent, invitations to join the team aside. */
  to(email: string) {
    return this.mails.filter((m) => m.to.includes(email) && !m.subject.startsWith("You're invited"));
  }
  stop() {
    return new Promise((r) => this.server.close(r));
  }
}

// ------------------------------------------------------------------------------------------------
// A push service on 127.0.0.1 (HTTPS: web-push only speaks it), with a certificate made for this test.
// ------------------------------------------------------------------------------------------------

const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKBIqG9B/De1rHdXI
Eo+bSGdYAeQx65ZRM0MeugUzWsChRANCAATP1QZg1hDM6pZYbzloHS9s6+Yax7Z/
WYao+tIhApwKgB/TP7enAy+oG/xusl2L2XXL0mhTOrCH/DGfv4sv8Apj
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUSnv/Q3rzyw/SDxdgCHXMS4ztmCYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNzExNDkyMVoYDzIxMjYxMTEz
MTE0OTIxWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATP1QZg1hDM6pZYbzloHS9s6+Yax7Z/WYao+tIhApwKgB/TP7enAy+o
G/xusl2L2XXL0mhTOrCH/DGfv4sv8Apjo2QwYjAdBgNVHQ4EFgQU/L/5CB9suC6R
VXKaEAVX507u5EEwHwYDVR0jBBgwFoAU/L/5CB9suC6RVXKaEAVX507u5EEwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQCCSZdQXMesAiuI5EmMZH4XfTGo0/ZiJtQx7Yw2jc3OpwIgaficsoghfNrVnKYj
4axyYy/1JLZQTVTxEYMK3oIerHg=
-----END CERTIFICATE-----`;

type Pushed = { path: string; headers: Record<string, string | string[] | undefined>; body: Buffer };

class PushService {
  readonly requests: Pushed[] = [];
  readonly agent = new https.Agent({ ca: CERT });
  private server = https.createServer({ key: KEY, cert: CERT }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      // An endpoint under /gone is a subscription the browser dropped.
      res.writeHead(req.url?.startsWith('/gone') ? 410 : 201).end();
    });
  });
  origin = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop() {
    this.agent.destroy();
    return new Promise((r) => this.server.close(r));
  }
}

/** A browser's side of a subscription: its key pair and auth secret, as PushManager.subscribe makes them. */
function browser(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  const json = {
    endpoint,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  };
  return { ecdh, auth, json };
}

/** RFC 8291 (aes128gcm, one record): what the push service could not read, read by the browser it was meant for. */
function decrypt(body: Buffer, ua: ECDH, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const serverKey = body.subarray(21, 21 + idLength);
  const sealed = body.subarray(21 + idLength);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), serverKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ua.computeSecret(serverKey), authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (plain[end] === 0) end--; // padding, then the last record's delimiter (2)
  expect(plain[end]).toBe(2);
  return plain.subarray(0, end).toString('utf8');
}

/** The VAPID header: a JWT for this push service's origin, signed (ES256) by the key it names. */
function checkVapid(authorization: string, publicKey: string, origin: string, subject: string) {
  const match = /^vapid t=([^,]+), k=(.+)$/.exec(authorization);
  expect(match, authorization).toBeTruthy();
  const [, jwt, k] = match!;
  expect(k).toBe(publicKey);
  const [header, claims, signature] = jwt!.split('.') as [string, string, string];
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  expect(signed, 'signed by the VAPID key').toBe(true);
  const body = JSON.parse(Buffer.from(claims, 'base64url').toString()) as { aud: string; sub: string; exp: number };
  expect(body).toMatchObject({ aud: origin, sub: subject });
  expect(body.exp * 1000).toBeGreaterThan(Date.now());
}

// ------------------------------------------------------------------------------------------------

describe('staff notifications', () => {
  let reg: MessagingRegistry;
  const smtp = new SmtpSink();
  const pushService = new PushService();
  const vapid = webpush.generateVAPIDKeys();
  const SUBJECT = 'mailto:ops@example.org';
  const BASE = 'https://app.example.org';

  type Place = { church: Church; owner: SignedInClient; number: string; tenantId: string };
  let p: Place;
  let admin: SignedInClient & { id: string; email: string };
  let staff: SignedInClient & { id: string; email: string };

  const inChurch = <T>(fn: (db: TenantDb) => Promise<T>) => reg.services.connections.withTenant(p.tenantId, fn);
  const helpers = (attempts = 1) => ({ job: { attempts, max_attempts: 10 } as Job }) as JobHelpers;
  const deps = () => ({ ...reg.services, pushAgent: pushService.agent, pushOrigins: [pushService.origin] });
  const runEmail = (adminId: string) => emailTask(deps())({ tenantId: p.tenantId, adminId }, helpers());
  const runPush = (adminId: string) => pushTask(deps())({ tenantId: p.tenantId, adminId }, helpers());
  /** As if a minute had gone by for this person: what is owed, and their last email, a minute older. */
  const aMinuteLater = (adminId: string) =>
    inChurch((db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`update notification_outbox set created_at = created_at - interval '61 seconds'
                              where admin_id = ${adminId}`);
        await tx.execute(sql`update notification_settings set last_email_at = last_email_at - interval '61 seconds'
                              where admin_id = ${adminId}`);
      }),
    );
  const textIn = async (from: string, text: string) => {
    const m = received(from, p.number, text);
    expect((await postSigned(reg.services, m.body)).status).toBe(200);
    return m;
  };
  const conversationOf = async (phone: string) =>
    inChurch(async (db) => {
      const [row] = await db.execute<{ id: string }>(sql`
        select c.id from conversations c join members m on m.id = c.member_id where m.phone = ${phone}`);
      return row!.id;
    });
  const jobsFor = async (task: string, adminId: string) =>
    (await queuedJobs(reg.admin, task)).filter((j) => j.key?.endsWith(`:${p.tenantId}:${adminId}`));
  const nothing = { inbound: 'off' as const, connectCard: false, sequenceReply: false };

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    await pushService.start();
    reg = await createMessagingRegistry({
      SMTP_URL: smtpUrl,
      NEXTAUTH_URL: BASE,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: SUBJECT,
    });
    const church = await provisionChurch(reg.services, { churchName: 'Grace Notice Chapel' });
    const owner = await signIn(reg.services, church.email, church.password);
    p = { church, owner, tenantId: church.tenantId, number: await routeNumberTo(reg.services, church.tenantId) };
    const a = await addTeammate(reg.services, owner.caller, 'notice-admin@example.org', 'admin');
    const s = await addTeammate(reg.services, owner.caller, 'notice-staff@example.org', 'staff');
    admin = { ...(await signIn(reg.services, a.email, a.password)), id: a.adminId, email: a.email };
    staff = { ...(await signIn(reg.services, s.email, s.password)), id: s.adminId, email: s.email };
  });
  afterAll(async () => {
    await reg?.cleanup();
    await smtp.stop();
    await pushService.stop();
  });

  it('each person chooses for themselves; nobody hears anything until they do', async () => {
    const fresh = await admin.caller.notifications.get();
    expect(fresh).toMatchObject({ email: nothing, push: nothing, digestMinute: null, pushKey: vapid.publicKey });
    expect(fresh.timezone).toBe('Europe/London');
    // The owner: every new text by email. The staff member: only threads assigned to them. The admin: nothing.
    await p.owner.caller.notifications.update({
      email: { inbound: 'all', connectCard: true, sequenceReply: false },
      push: nothing,
      digestMinute: null,
    });
    await staff.caller.notifications.update({
      email: { inbound: 'assigned', connectCard: false, sequenceReply: false },
      push: nothing,
      digestMinute: null,
    });
    expect((await staff.caller.notifications.get()).email.inbound).toBe('assigned');
    expect((await p.owner.caller.notifications.get()).email.inbound).toBe('all');
    expect((await admin.caller.notifications.get()).email).toEqual(nothing); // another's choice is not theirs
  });

  it('five texts in a minute are one email; a sixth after the minute is a second; texts are cut at 80', async () => {
    const assigned = personNumber(8101);
    const long = `${'Could someone call me back about the youth retreat? '.repeat(3)}Thanks!`; // > 80 characters
    await textIn(assigned, 'Hello, first text from the thread assigned to staff');
    await inChurch((db) =>
      db.execute(sql`update conversations set assigned_admin_id = ${staff.id}
                      where id = (select c.id from conversations c join members m on m.id = c.member_id
                                   where m.phone = ${assigned})`),
    );
    await textIn(assigned, 'Second, now that it is assigned');
    await textIn(personNumber(8102), long);
    await textIn(personNumber(8103), 'Three');
    await textIn(personNumber(8104), 'Four\nwith a line break');

    // Jobs: the owner's and the staff member's email, a minute on; none for the admin, who chose nothing. (The
    // webhook answers without waiting for its wake: the jobs appear a moment later.)
    const [ownerJob] = await until(async () => {
      const jobs = await jobsFor(EMAIL_TASK, p.church.adminId);
      return jobs.length > 0 && jobs;
    });
    expect(ownerJob?.run_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    await until(async () => (await jobsFor(EMAIL_TASK, staff.id)).length === 1);
    expect(await jobsFor(EMAIL_TASK, admin.id)).toHaveLength(0);

    // Run early, the job sends nothing and waits for the minute.
    await runEmail(p.church.adminId);
    expect(smtp.to(p.church.email)).toHaveLength(0);

    await aMinuteLater(p.church.adminId);
    await runEmail(p.church.adminId);
    await runEmail(p.church.adminId); // again: the rows are marked sent, nothing goes twice
    const [first, ...others] = smtp.to(p.church.email);
    expect(others).toHaveLength(0);
    expect(first!.subject).toBe('5 new texts · Grace Notice Chapel');
    const entries = first!.text.split('\n\n').filter((e) => e.includes('· text ·'));
    expect(entries).toHaveLength(5);
    expect(first!.text).toContain('Hello, first text from the thread assigned to staff');
    expect(first!.text).toContain('Four with a line break');
    // The long one: its first 80 characters and an ellipsis, never more.
    expect(first!.text).toContain(`${long.slice(0, 80)}…`);
    expect(first!.text).not.toContain(long.slice(0, 81));
    expect(first!.text).toContain(`${BASE}/inbox?c=${await conversationOf(personNumber(8102))}`);
    expect(first!.text).toContain(`${BASE}/account#notifications`);

    // A sixth, within a minute of that email: it waits for the minute, then goes alone.
    await textIn(personNumber(8105), 'Six');
    await runEmail(p.church.adminId);
    expect(smtp.to(p.church.email)).toHaveLength(1);
    await aMinuteLater(p.church.adminId);
    await runEmail(p.church.adminId);
    const second = smtp.to(p.church.email)[1]!;
    expect(second.subject).toBe(`New text from ${'(312) 555-8105'} · Grace Notice Chapel`);
    expect(second.text).toContain('Six');
    expect(second.text).not.toContain('Three');
    expect(smtp.to(p.church.email)).toHaveLength(2);

    // "Assigned to me": only the text that came after the thread was theirs.
    await aMinuteLater(staff.id);
    await runEmail(staff.id);
    const staffMail = smtp.to(staff.email);
    expect(staffMail).toHaveLength(1);
    expect(staffMail[0]!.text).toContain('Second, now that it is assigned');
    expect(staffMail[0]!.text).not.toContain('Three');
    expect(staffMail[0]!.text).not.toContain('Hello, first text');
    // Nobody who chose nothing gets mail.
    await runEmail(admin.id);
    expect(smtp.to(admin.email)).toHaveLength(0);
  });

  it('a replayed webhook owes nothing twice; a refusing mail server is tried again with the same message', async () => {
    const m = received(personNumber(8106), p.number, 'Only once please');
    for (let i = 0; i < 3; i++) expect((await postSigned(reg.services, m.body)).status).toBe(200);
    const owed = await inChurch((db) =>
      db.execute<{ n: number }>(sql`select count(*)::int as n from notification_outbox
                                     where admin_id = ${p.church.adminId} and sent_at is null`),
    );
    expect(owed[0]!.n).toBe(1);
    await aMinuteLater(p.church.adminId);
    smtp.refuse = 1;
    await expect(runEmail(p.church.adminId)).rejects.toThrow();
    expect(smtp.to(p.church.email)).toHaveLength(2);
    await runEmail(p.church.adminId); // the queue's retry
    const mails = smtp.to(p.church.email);
    expect(mails).toHaveLength(3);
    expect(mails[2]!.text).toContain('Only once please');
    expect(mails[2]!.messageId).toMatch(/^<[0-9a-f-]{36}@app\.example\.org>$/);
  });

  it('a mail server that refuses for good (5xx) ends that email; what comes after is not held back', async () => {
    const owner = p.church.adminId;
    await textIn(personNumber(8111), 'Refused for good, this one');
    await aMinuteLater(owner);
    const before = smtp.to(p.church.email).length;
    smtp.refuse = 1;
    smtp.refusal = '550 no such mailbox';
    try {
      await runEmail(owner); // no throw: not retried for ever
    } finally {
      smtp.refusal = '451 try again later';
      smtp.refuse = 0;
    }
    expect(smtp.to(p.church.email)).toHaveLength(before);
    const owed = await inChurch((db) =>
      db.execute<{ n: number }>(sql`select count(*)::int as n from notification_outbox
                                     where admin_id = ${owner} and channel = 'email' and sent_at is null`),
    );
    expect(owed[0]!.n).toBe(0);
    await textIn(personNumber(8112), 'After the refusal');
    await aMinuteLater(owner);
    await runEmail(owner);
    const last = smtp.to(p.church.email).at(-1)!;
    expect(smtp.to(p.church.email)).toHaveLength(before + 1);
    expect(last.text).toContain('After the refusal');
    expect(last.text).not.toContain('Refused for good');
  });

  it('a reply to a sequence is a sequence reply, once, to those who asked; not a new text as well', async () => {
    await p.owner.caller.notifications.update({
      email: { inbound: 'all', connectCard: true, sequenceReply: true },
      push: nothing,
      digestMinute: null,
    });
    await staff.caller.notifications.update({ email: nothing, push: nothing, digestMinute: null }); // staff: none
    const phone = personNumber(8110);
    const [member] = await insertMembers(reg.services, p.tenantId, [{ firstName: 'Sam', lastName: 'Reply', phone }]);
    const seq = await p.owner.caller.sequences.create({
      name: 'Welcome series',
      trigger: { kind: 'manual' },
      steps: [{ body: 'Welcome!', wait: 0, unit: 'hours' }],
    });
    await p.owner.caller.sequences.enroll({ id: seq.id, who: { type: 'members', memberIds: [member!.id] } });
    // The step as the runner leaves it once sent (sequences.test.ts sends them for real).
    await inChurch((db) =>
      db.execute(sql`
        with thread as (insert into conversations (member_id) values (${member!.id}) returning id)
        insert into messages (conversation_id, direction, kind, body, segments, status, to_number, enrollment_id,
                              step_position)
        select thread.id, 'outbound', 'sequence', 'Welcome!', 1, 'sent', ${phone}, e.id, 0
          from thread, sequence_enrollments e where e.member_id = ${member!.id}`),
    );
    await textIn(phone, 'Thank you, glad to be here');
    await textIn(phone, 'And a second text'); // not a reply to a step any more: a new text
    const owed = await inChurch((db) =>
      db.execute<{ kind: string; excerpt: string }>(sql`
        select kind, excerpt from notification_outbox
         where admin_id = ${p.church.adminId} and member_id = ${member!.id} order by created_at`),
    );
    expect([...owed]).toEqual([
      { kind: 'sequence_reply', excerpt: 'Thank you, glad to be here' },
      { kind: 'inbound', excerpt: 'And a second text' },
    ]);
    await aMinuteLater(p.church.adminId);
    await runEmail(p.church.adminId);
    expect(smtp.to(p.church.email).at(-1)!.text).toContain('Sam Reply · sequence reply · ');
  });

  it('browser notifications: signed with VAPID, encrypted for the browser, a gone subscription removed', async () => {
    const here = browser(`${pushService.origin}/push/owner-laptop`);
    const dropped = browser(`${pushService.origin}/gone/old-phone`);
    // The router takes only a push service's address; the stand-in on 127.0.0.1 is subscribed past it.
    const refused = await errorOf(p.owner.caller.notifications.subscribePush(here.json));
    expect(refused.code).toBe('BAD_REQUEST');
    await p.owner.caller.notifications.subscribePush({
      ...here.json,
      endpoint: 'https://fcm.googleapis.com/fcm/send/some-browser',
    });
    await inChurch(async (db) => {
      await subscribePush(reg.services, db, p.church.adminId, here.json);
      await subscribePush(reg.services, db, p.church.adminId, dropped.json);
      // Stored before the check was tight (or past it): at the stand-in, but not a push service's address.
      const sneaky = browser(pushService.origin.replace('https://', 'https://user@') + '/push/sneaky').json;
      await subscribePush(reg.services, db, p.church.adminId, sneaky);
      await db.execute(sql`delete from push_subscriptions where endpoint like 'https://fcm.googleapis.com/%'`);
    });
    expect((await p.owner.caller.notifications.get()).browsers).toBe(3);
    await p.owner.caller.notifications.update({
      email: { inbound: 'all', connectCard: true, sequenceReply: false },
      push: { inbound: 'off', connectCard: true, sequenceReply: false },
      digestMinute: null,
    });

    // The staff member chose browser notifications too, but has no browser turned on: nothing is owed them.
    await staff.caller.notifications.update({
      email: nothing,
      push: { inbound: 'all', connectCard: true, sequenceReply: true },
      digestMinute: null,
    });
    const slug = (await reg.services.profiles.get(p.tenantId)).slug;
    const token = issueFormToken(reg.services.config.STEEPLE_SECRET_KEY, slug, Date.now() - 5_000);
    await caller(reg.services, null, freshIp()).connectCard.submit({
      ...{ slug, firstName: 'Ruth', lastName: 'Visitor', phone: '(415) 555-0177', firstVisit: 'yes' as const },
      ...{ consent: true, token },
    });
    expect(await jobsFor(PUSH_TASK, p.church.adminId)).toHaveLength(1); // woken at once
    expect(await jobsFor(PUSH_TASK, staff.id)).toHaveLength(0);
    await runPush(p.church.adminId);

    const [delivered, ...rest] = pushService.requests.filter((r) => r.path === '/push/owner-laptop');
    expect(rest).toHaveLength(0);
    checkVapid(String(delivered!.headers.authorization), vapid.publicKey, pushService.origin, SUBJECT);
    expect(delivered!.headers['content-encoding']).toBe('aes128gcm');
    expect(delivered!.body.toString('utf8')).not.toContain('Ruth'); // encrypted on the wire
    const shown = JSON.parse(decrypt(delivered!.body, here.ecdh, here.auth)) as Record<string, string>;
    const member = await inChurch(async (db) => {
      const [row] = await db.execute<{ id: string }>(sql`select id from members where phone = '+14155550177'`);
      return row!.id;
    });
    expect(shown).toMatchObject({
      title: 'Connect card from Ruth Visitor',
      body: 'First visit. Agreed to texts.',
      url: expect.stringMatching(new RegExp(`^/inbox\\?(c=[0-9a-f-]{36}|member=${member})$`)),
    });
    // The address that is not a push service's was never called, and is gone.
    expect(pushService.requests.some((r) => r.path === '/push/sneaky')).toBe(false);
    // The push service said 410 for the other browser: that subscription is gone, the good one stays.
    expect(pushService.requests.some((r) => r.path === '/gone/old-phone')).toBe(true);
    expect((await p.owner.caller.notifications.get()).browsers).toBe(1);
    // Sent once: running the job again pushes nothing.
    await runPush(p.church.adminId);
    expect(pushService.requests.filter((r) => r.path === '/push/owner-laptop')).toHaveLength(1);
    // The card is in the owner's next email too, linking to its member or thread.
    await aMinuteLater(p.church.adminId);
    await runEmail(p.church.adminId);
    expect(smtp.to(p.church.email).at(-1)!.subject).toBe('New connect card from Ruth Visitor · Grace Notice Chapel');

    // Turned off in this browser: only the signed-in person's own subscription goes.
    expect(await staff.caller.notifications.unsubscribePush({ endpoint: here.json.endpoint })).toEqual({ removed: 0 });
    expect(await p.owner.caller.notifications.unsubscribePush({ endpoint: here.json.endpoint })).toEqual({
      removed: 1,
    });
  });

  it('the daily digest: at the chosen time on the church’s clock, once, skipped when there is nothing', async () => {
    await admin.caller.notifications.update({ email: nothing, push: nothing, digestMinute: 8 * 60 });
    const [job] = await jobsFor(DIGEST_TASK, admin.id);
    const at = job!.run_at;
    expect(at.toLocaleTimeString('en-GB', { timeZone: 'Europe/London' })).toBe('08:00:00');
    expect(at.getTime()).toBeGreaterThan(Date.now());
    expect(at.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);

    // Across the clock change: 08:00 in London is 08:00 GMT before it and 08:00 BST (07:00 UTC) after.
    const before = await inChurch((db) => nextDigestAt(db, 'Europe/London', 480, 'now', new Date('2027-03-27T12:00Z')));
    const after = await inChurch((db) => nextDigestAt(db, 'Europe/London', 480, 'now', new Date('2027-03-28T12:00Z')));
    expect(before.toISOString()).toBe('2027-03-28T07:00:00.000Z');
    expect(after.toISOString()).toBe('2027-03-29T07:00:00.000Z');

    // Due now (midnight has passed today): the digest lists the unread threads with their excerpts and links.
    await admin.caller.notifications.update({ email: nothing, push: nothing, digestMinute: 0 });
    await digestTask(reg.services)({ tenantId: p.tenantId, adminId: admin.id }, helpers());
    const [digest, ...more] = smtp.to(admin.email);
    expect(more).toHaveLength(0);
    expect(digest!.subject).toBe('Your daily digest · Grace Notice Chapel');
    expect(digest!.text).toMatch(/Unread conversations \(\d+\)/);
    expect(digest!.text).toContain('Connect cards (1)');
    expect(digest!.text).toContain(`${BASE}/inbox?c=${await conversationOf(personNumber(8103))}`);
    expect(digest!.text).not.toContain('Could someone call me back about the youth retreat? '.repeat(2));
    // Made again for tomorrow; run again today, it sends nothing.
    const [next] = await jobsFor(DIGEST_TASK, admin.id);
    expect(next!.run_at.getTime()).toBeGreaterThan(Date.now() + 60_000);
    await digestTask(reg.services)({ tenantId: p.tenantId, adminId: admin.id }, helpers());
    expect(smtp.to(admin.email)).toHaveLength(1);

    // A church where nothing happened: no digest at all.
    const quiet = await provisionChurch(reg.services, { churchName: 'Quiet Chapel' });
    const quietOwner = await signIn(reg.services, quiet.email, quiet.password);
    await quietOwner.caller.notifications.update({ email: nothing, push: nothing, digestMinute: 0 });
    await digestTask(reg.services)({ tenantId: quiet.tenantId, adminId: quiet.adminId }, helpers());
    expect(smtp.to(quiet.email)).toHaveLength(0);
  });

  it('a digest time whose scheduling failed is scheduled by saving the same time again', async () => {
    const choice = { email: nothing, push: nothing, digestMinute: 9 * 60 };
    await admin.caller.notifications.update({ ...choice, digestMinute: null });
    await reg.admin`delete from graphile_worker._private_jobs where key = ${`digest:${p.tenantId}:${admin.id}`}`;
    const fn = 'public.steeple_enqueue(text, json, int, text, timestamptz, text, text)';
    await reg.admin.unsafe(`alter function ${fn} rename to steeple_enqueue_away`);
    try {
      await expect(admin.caller.notifications.update(choice)).rejects.toThrow();
    } finally {
      await reg.admin.unsafe(`alter function public.steeple_enqueue_away(text, json, int, text, timestamptz, text, text)
                              rename to steeple_enqueue`);
    }
    expect((await admin.caller.notifications.get()).digestMinute).toBe(9 * 60); // the choice was kept
    expect(await jobsFor(DIGEST_TASK, admin.id)).toHaveLength(0);
    await admin.caller.notifications.update(choice);
    await admin.caller.notifications.update(choice); // idempotent: still one job
    const jobs = await jobsFor(DIGEST_TASK, admin.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.run_at.toLocaleTimeString('en-GB', { timeZone: 'Europe/London' })).toBe('09:00:00');
  });

  it('a church paused for maintenance: the browser job looks again in a minute, as the email job does', async () => {
    const owner = p.church.adminId;
    await reg.admin`delete from graphile_worker._private_jobs where key like ${`%:${p.tenantId}:${owner}`}`;
    // The church's own gate, shown the church as suspended: the refusal a paused church's jobs get.
    const paused = {
      ...deps(),
      connections: {
        withTenant: <T>(id: string, fn: (db: TenantDb) => Promise<T>) =>
          reg.services.connections.withTenant(id, fn, (route) => forUsers(0)({ ...route, status: 'suspended' })),
      } as typeof reg.services.connections,
    };
    await pushTask(paused)({ tenantId: p.tenantId, adminId: owner }, helpers());
    const [job, ...more] = await jobsFor(PUSH_TASK, owner);
    expect(more).toHaveLength(0);
    expect(job!.run_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(job!.run_at.getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
    await reg.admin`delete from graphile_worker._private_jobs where key like ${`%:${p.tenantId}:${owner}`}`;
  });

  it('without VAPID keys browser notifications are off and say so; the keys come as a set', async () => {
    const plain = reg.servicesWith({ VAPID_PUBLIC_KEY: '', VAPID_PRIVATE_KEY: '', VAPID_SUBJECT: '' });
    const owner = caller(plain, p.owner.session);
    expect((await owner.notifications.get()).pushKey).toBeNull();
    const err = await errorOf(
      owner.notifications.subscribePush({ ...browser('x').json, endpoint: 'https://fcm.googleapis.com/fcm/send/x' }),
    );
    expect(err.message).toBe('Browser notifications are not set up on this server.');
    const env = { DATABASE_URL: 'postgres://x@localhost/x', STEEPLE_SECRET_KEY: randomBytes(32).toString('base64') };
    const problems = (more: Record<string, string>) => {
      try {
        loadConfig({ ...env, NEXTAUTH_SECRET: 'x'.repeat(32), ...more });
        return [];
      } catch (e) {
        return (e as { problems: string[] }).problems;
      }
    };
    expect(problems({ VAPID_PUBLIC_KEY: vapid.publicKey })).toEqual([
      expect.stringMatching(/^VAPID_PRIVATE_KEY is required when VAPID_PUBLIC_KEY is set/),
      expect.stringMatching(/^VAPID_SUBJECT is required when VAPID_PUBLIC_KEY is set/),
    ]);
    const other = webpush.generateVAPIDKeys();
    expect(
      problems({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: other.privateKey, VAPID_SUBJECT: SUBJECT }),
    ).toEqual([expect.stringMatching(/^VAPID_PRIVATE_KEY does not belong to VAPID_PUBLIC_KEY/)]);
    expect(problems({ VAPID_PUBLIC_KEY: 'nope', VAPID_PRIVATE_KEY: 'nope', VAPID_SUBJECT: 'ops@example.org' })).toEqual(
      [
        expect.stringMatching(/^VAPID_PUBLIC_KEY must be the public key/),
        expect.stringMatching(/^VAPID_PRIVATE_KEY must be the private key/),
        expect.stringMatching(/^VAPID_SUBJECT must be a mailto: address or an https:\/\/ URL/),
      ],
    );
    expect(
      problems({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: SUBJECT }),
    ).toEqual([]);
  });

  it('a text is stored, answered 200, though its notifications cannot be woken; the next wake catches up', async () => {
    const fn = 'public.steeple_enqueue(text, json, int, text, timestamptz, text, text)';
    await reg.admin.unsafe(`alter function ${fn} rename to steeple_enqueue_away`);
    try {
      const m = await textIn(personNumber(8107), 'While the queue was away');
      const [stored] = await inChurch((db) =>
        db.execute<{ n: number }>(sql`select count(*)::int as n from messages
                                       where provider_message_id = ${m.id}`),
      );
      expect(stored!.n).toBe(1);
    } finally {
      await reg.admin.unsafe(`alter function public.steeple_enqueue_away(text, json, int, text, timestamptz, text, text)
                              rename to steeple_enqueue`);
    }
    await textIn(personNumber(8108), 'And after it came back');
    await aMinuteLater(p.church.adminId);
    await runEmail(p.church.adminId);
    const last = smtp.to(p.church.email).at(-1)!;
    expect(last.subject).toBe('2 new texts · Grace Notice Chapel');
    expect(last.text).toContain('While the queue was away');
    expect(last.text).toContain('And after it came back');
  });

  it('the maintenance sweep: old rows deleted, sent or not; anyone whose wake was lost is woken', async () => {
    const owner = p.church.adminId;
    const row = (channel: string, excerpt: string, created: string, sent: string | null) => sql`
      insert into notification_outbox (admin_id, channel, kind, source_id, excerpt, created_at, sent_at)
      values (${owner}, ${channel}, 'inbound', gen_random_uuid(), ${excerpt}, now() - ${created}::interval,
              now() - ${sent}::interval)`;
    await inChurch(async (db) => {
      await db.execute(row('email', 'sent two days ago', '2 days', '2 days'));
      await db.execute(row('email', 'sent an hour ago', '1 hour', '1 hour'));
      await db.execute(row('push', 'never sent, four days old', '4 days', null));
      await db.execute(row('email', 'its wake was lost', '5 minutes', null));
      await db.execute(row('email', 'just now: its own wake is coming', '0 seconds', null));
    });
    // No job for the owner: as if the registry had blinked when the text came in.
    await reg.admin`delete from graphile_worker._private_jobs where key like ${`%:${p.tenantId}:${owner}`}`;
    expect(await jobsFor(EMAIL_TASK, owner)).toHaveLength(0);

    await sweepNotifications(reg.services);
    const left = await inChurch((db) =>
      db.execute<{ excerpt: string }>(sql`select excerpt from notification_outbox where admin_id = ${owner}
                                           and excerpt in ('sent two days ago', 'sent an hour ago',
                                             'never sent, four days old', 'its wake was lost',
                                             'just now: its own wake is coming') order by excerpt`),
    );
    expect(left.map((r) => r.excerpt)).toEqual([
      'its wake was lost',
      'just now: its own wake is coming',
      'sent an hour ago',
    ]);
    expect(await jobsFor(EMAIL_TASK, owner)).toHaveLength(1); // woken again
    expect(await jobsFor(PUSH_TASK, owner)).toHaveLength(0); // its only push row was too old, and went
    await aMinuteLater(owner);
    await runEmail(owner);
    const last = smtp.to(p.church.email).at(-1)!;
    expect(last.text).toContain('its wake was lost');
    expect(last.text).toContain('just now: its own wake is coming');
  });

  it('signing out everywhere turns off that person’s browsers; removal from the team takes them too', async () => {
    const leaving = await addTeammate(reg.services, p.owner.caller, 'notice-leaving@example.org', 'staff');
    const out = await addTeammate(reg.services, p.owner.caller, 'notice-out@example.org', 'staff');
    const outClient = await signIn(reg.services, out.email, out.password);
    const countOf = (adminId: string) =>
      inChurch(async (db) => {
        const [row] = await db.execute<{ n: number }>(sql`
          select count(*)::int as n from push_subscriptions where admin_id = ${adminId}`);
        return row!.n;
      });
    await inChurch(async (db) => {
      for (const [who, name] of [
        [leaving.adminId, 'leaving-a'],
        [leaving.adminId, 'leaving-b'],
        [out.adminId, 'out-a'],
        [out.adminId, 'out-b'],
        [p.church.adminId, 'owner-stays'],
      ] as const)
        await subscribePush(reg.services, db, who, browser(`https://fcm.googleapis.com/fcm/send/${name}`).json);
    });
    expect(await countOf(out.adminId)).toBe(2);
    await outClient.caller.account.signOutEverywhere();
    expect(await countOf(out.adminId)).toBe(0);
    await p.owner.caller.team.remove({ adminId: leaving.adminId });
    expect(await countOf(leaving.adminId)).toBe(0);
    expect(await countOf(p.church.adminId)).toBe(1); // nobody else's
    await inChurch((db) => db.execute(sql`delete from push_subscriptions where endpoint like '%/owner-stays'`));
  });

  it('through the worker: the registered job sends the email once its minute is up', async () => {
    const worker = await startWorker(reg.services);
    try {
      const before = smtp.to(p.church.email).length;
      await textIn(personNumber(8109), 'Sent by the worker itself');
      await aMinuteLater(p.church.adminId);
      // The job waits a minute on the queue's clock; the minute is up for its rows, so it is brought forward.
      await reg.admin`update graphile_worker._private_jobs set run_at = now()
                       where key = ${`notify:${p.tenantId}:${p.church.adminId}`}`;
      await until(async () => smtp.to(p.church.email).length > before);
      expect(smtp.to(p.church.email).at(-1)!.text).toContain('Sent by the worker itself');
    } finally {
      await worker.stop();
    }
  });
});
