import { eq } from 'drizzle-orm';
import type { JobHelpers } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { messages, type Message } from '@/db/tenant/schema';
import { VERIFY_MAIL_TASK, verificationMailTask } from '@/server/auth/email-verification';
import { STEEPLE_CODES } from '@/server/messaging/carrier-outcomes';
import { sendOne } from '@/server/messaging/sender';
import { TEAM_ONLY, TEAM_ONLY_NOT_SENT } from '@/server/messaging/team-only';
import { sha256 } from '@/server/tokens';
import {
  caller,
  devMailIn,
  errorOf,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
  withWarnings,
} from './support/accounts';
import {
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  queuedJobs,
  queueOutbound,
  readyNumber,
  type MessagingRegistry,
} from './support/messaging';

/**
 * Email verification (issue 16): the owner's address is verified by an emailed link, and until it is the church texts
 * only its team's own phones — refused when written, held back when sent — while replies to a person's own text go.
 */
let reg: MessagingRegistry;
const fake = new FakeProvider();

beforeAll(async () => {
  reg = await createMessagingRegistry({}, fake);
});
afterAll(() => reg?.cleanup());

const withDb = <T>(tenantId: string, fn: (db: TenantDb) => Promise<T>) =>
  reg.services.connections.withTenant(tenantId, fn);

/** Runs the mail job as the worker would, and returns the mail's link and token (from the development mail line). */
async function mailVerification(church: Church) {
  const { lines } = await withWarnings(async () => {
    await verificationMailTask(reg.services)({ tenantId: church.tenantId, adminId: church.adminId }, {} as JobHelpers);
  });
  const mail = devMailIn(lines, church.email);
  const link = (mail?.links as string[] | undefined)?.[0];
  return { mail, link, token: link?.split('/verify-email/')[1] };
}

describe('verifying the owner’s email', () => {
  it('provisioning queues one mail; its link (stored hashed) verifies once; the church’s texting opens', async () => {
    const church = await provisionChurch(reg.services, { verified: false });
    const owner = await signIn(reg.services, church.email, church.password);
    const jobs = (await queuedJobs(reg.admin, VERIFY_MAIL_TASK)).filter((j) => j.key?.includes(church.tenantId));
    expect(jobs.map((j) => j.key)).toEqual([`verify-mail:${church.tenantId}:${church.adminId}`]);
    expect((await owner.caller.account.me()).verification).toEqual({
      verified: false,
      ownerName: expect.any(String),
      ownerEmail: church.email,
    });

    const { mail, link, token } = await mailVerification(church);
    expect(mail?.subject).toBe('Verify your email for Steeple');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/verify-email\/[\w-]{40,}$/);
    const [row] = await reg.admin<{ token_hash: string; purpose: string; hours: number }[]>`
      select token_hash, purpose, extract(epoch from expires_at - created_at) / 3600 as hours
        from account_links where admin_id = ${church.adminId}`;
    expect(row).toMatchObject({ token_hash: sha256(token!), purpose: 'verify_email' });
    expect(Math.round(Number(row!.hours))).toBe(72);

    // A reset page does not take it (links are for one purpose), and a signed-out visitor can use it.
    expect((await errorOf(caller(reg.services, null).passwordReset.check({ token: token! }))).code).toBe('NOT_FOUND');
    expect(await caller(reg.services, null).emailVerification.verify({ token: token! })).toEqual({
      email: church.email,
    });
    const again = await errorOf(caller(reg.services, null).emailVerification.verify({ token: token! }));
    expect(again).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('expired or was already used') });
    expect((await owner.caller.account.me()).verification.verified).toBe(true);
    const log = await owner.caller.activity.list({ group: 'security' });
    expect(log.items.map((i) => i.action)).toContain('security.email_verified');

    // Verified: the job (say, retried) mails nothing more, and "Resend" says so.
    expect((await mailVerification(church)).mail).toBeUndefined();
    expect(await owner.caller.emailVerification.resend()).toEqual({ alreadyVerified: true, email: church.email });
  });

  it('"Send the email again" queues a new mail, a few an hour; using any of the links uses them all', async () => {
    const church = await provisionChurch(reg.services, { verified: false });
    const owner = await signIn(reg.services, church.email, church.password);
    const first = await mailVerification(church);
    const second = await mailVerification(church);
    expect(second.token).not.toBe(first.token);
    for (let i = 0; i < 5; i++) expect((await owner.caller.emailVerification.resend()).alreadyVerified).toBe(false);
    const sixth = await errorOf(owner.caller.emailVerification.resend());
    expect(sixth).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // Either link verifies; the other then reads as used.
    await caller(reg.services, null).emailVerification.verify({ token: second.token! });
    expect((await errorOf(caller(reg.services, null).emailVerification.verify({ token: first.token! }))).code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('until the owner’s email is verified, the church texts only its team', () => {
  let church: Church;
  let owner: SignedInClient;

  beforeAll(async () => {
    church = await provisionChurch(reg.services, { verified: false, churchName: 'Unverified Chapel' });
    owner = await signIn(reg.services, church.email, church.password);
    await readyNumber(reg.services, owner);
  });

  const queueDirect = (memberId: string, kind: Message['kind']) =>
    queueOutbound(reg.services, church.tenantId, memberId, 'Hello', kind);
  const send = (id: string) =>
    withDb(church.tenantId, (db) => sendOne(reg.services.messaging, db, church.tenantId, id, { finalAttempt: false }));
  const row = (id: string) =>
    withDb(church.tenantId, async (db) => (await db.select().from(messages).where(eq(messages.id, id)))[0]!);

  it('one to one and broadcasts reach only the team’s phones; replies to a texter go; verified, all do', async () => {
    const [stranger, pastor] = await insertMembers(reg.services, church.tenantId, [
      { firstName: 'Stranger' },
      { firstName: 'Pastor', tags: ['staff'] },
    ]);
    // The owner's mobile, typed the way people type it: read against the church's country, shown in its format.
    expect((await errorOf(owner.caller.account.setMobile({ phone: '12' }))).code).toBe('BAD_REQUEST');
    const national = `(${pastor!.phone.slice(2, 5)}) ${pastor!.phone.slice(5, 8)}-${pastor!.phone.slice(8)}`;
    expect(await owner.caller.account.setMobile({ phone: national.replace(/\D/g, ' ') })).toEqual({
      e164: pastor!.phone,
      display: national,
    });
    expect((await owner.caller.account.me()).phone).toEqual({ e164: pastor!.phone, display: national });

    const refused = await errorOf(owner.caller.messages.send({ memberId: stranger!.id, body: 'Welcome!' }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', message: TEAM_ONLY });
    const toPastor = await owner.caller.messages.send({ memberId: pastor!.id, body: 'A test to myself' });
    expect(await send(toPastor.id)).toBe('sent');

    const toAll = await errorOf(owner.caller.broadcasts.create({ body: 'Sunday!', audience: { type: 'all' } }));
    expect(toAll).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('1 person outside') });
    await owner.caller.broadcasts.create({ body: 'Staff meeting', audience: { type: 'tag', tag: 'staff' } });

    // Whatever queued it (an automation, a connect-card welcome), the sender holds a stranger's text back…
    for (const kind of ['conversation', 'broadcast', 'sequence'] as const) {
      const held = await queueDirect(stranger!.id, kind);
      expect(await send(held.id)).toBe('failed');
      expect(await row(held.id)).toMatchObject({ error: TEAM_ONLY_NOT_SENT, errorCode: STEEPLE_CODES.teamOnly });
    }
    // …but a reply to their own text (STOP, HELP, START, a keyword's answer) goes.
    const reply = await queueDirect(stranger!.id, 'auto');
    expect(await send(reply.id)).toBe('sent');

    // Once the owner is verified, everyone who agreed can be texted.
    const { token } = await mailVerification(church);
    await caller(reg.services, null).emailVerification.verify({ token: token! });
    const now = await owner.caller.messages.send({ memberId: stranger!.id, body: 'Welcome!' });
    expect(await send(now.id)).toBe('sent');
    await owner.caller.broadcasts.create({ body: 'Sunday!', audience: { type: 'all' } });
  });
});
