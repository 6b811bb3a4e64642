import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { readSession } from '@/server/auth/session';
import { signInWithPassword } from '@/server/auth/signin';
import { CODE_NEEDED, CODE_WRONG } from '@/server/auth/signin-messages';
import { maintain } from '@/server/jobs/maintenance';
import type { Services } from '@/server/services';
import { sha256 } from '@/server/tokens';
import {
  addTeammate,
  caller,
  devMailIn,
  churchWithOwner,
  errorOf,
  freshIp,
  signIn,
  type SignedInClient,
  withWarnings,
} from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

/**
 * Account basics: "Forgot password?" (a single-use, hashed, one-hour link; development mail in the log without
 * SMTP_URL; every session signed out) and two-factor sign-in (TOTP, recovery codes, the team rule, the lockout).
 */
let reg: TestRegistry;
let services: Services;

beforeAll(async () => {
  reg = await createTestRegistry();
  services = reg.services;
});
afterAll(() => reg?.cleanup());

/** The reset link of the last development mail to `email`. */
async function resetLinkFor(email: string, ip = freshIp()) {
  const { lines } = await withWarnings(() => caller(services, null, ip).passwordReset.request({ email }));
  const link = (devMailIn(lines, email)?.links as string[] | undefined)?.[0];
  return { link, token: link?.split('/reset-password/')[1], lines };
}

describe('forgot password', () => {
  it('emails a one-hour link that resets once, refuses the same password and signs out every session', async () => {
    const { church, owner } = await churchWithOwner(services);
    const elsewhere = await signIn(services, church.email, church.password);
    const { link, token, lines } = await resetLinkFor(church.email);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/reset-password\/[\w-]{40,}$/);
    expect(lines.find((l) => l.msg.startsWith('development mail'))?.subject).toBe('Reset your Steeple password');

    // Stored hashed: the token itself is nowhere in the registry.
    const [row] = await reg.admin<{ token_hash: string; expires_at: Date }[]>`
      select token_hash, expires_at from account_links where admin_id = ${church.adminId}`;
    expect(row!.token_hash).not.toContain(token!);
    expect(row!.expires_at.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(row!.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);

    const anon = caller(services, null);
    expect(await anon.passwordReset.check({ token: token! })).toEqual({ email: church.email });
    const same = await errorOf(anon.passwordReset.complete({ token: token!, password: church.password }));
    expect(same).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/different from your current/) });

    await anon.passwordReset.complete({ token: token!, password: 'a fresh reset password' });
    expect(await readSession(services, owner.cookie)).toBeNull();
    expect(await readSession(services, elsewhere.cookie)).toBeNull();
    await signIn(services, church.email, 'a fresh reset password');
    await expect(signInWithPassword(services, church, freshIp())).rejects.toThrow('incorrect');

    const again = await errorOf(anon.passwordReset.complete({ token: token!, password: 'yet another password' }));
    expect(again).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/expired or was already used/) });
  });

  it('answers the same for an unknown email, sends nothing, and refuses expired and made-up links', async () => {
    const { church } = await churchWithOwner(services);
    const unknown = await resetLinkFor('nobody-here@example.org');
    expect(unknown.link).toBeUndefined();

    const { token } = await resetLinkFor(church.email);
    await reg.admin`
      update account_links set expires_at = now() - interval '1 second' where admin_id = ${church.adminId}`;
    const anon = caller(services, null);
    expect(await errorOf(anon.passwordReset.check({ token: token! }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(anon.passwordReset.check({ token: 'x'.repeat(43) }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(anon.passwordReset.check({ token: 'short' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a newer link does not keep an older one alive once either is used', async () => {
    const { church } = await churchWithOwner(services);
    const first = await resetLinkFor(church.email);
    const second = await resetLinkFor(church.email);
    const anon = caller(services, null);
    await anon.passwordReset.complete({ token: second.token!, password: 'the second new password' });
    expect(await errorOf(anon.passwordReset.check({ token: first.token! }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the worker deletes links a day past their hour, and no others', async () => {
    const { church } = await churchWithOwner(services);
    const old = await resetLinkFor(church.email);
    const fresh = await resetLinkFor(church.email);
    await reg.admin`
      update account_links set expires_at = now() - interval '25 hours' where token_hash = ${sha256(old.token!)}`;
    await maintain(services);
    const left = await reg.admin<{ token_hash: string }[]>`
      select token_hash from account_links where admin_id = ${church.adminId}`;
    expect(left.map((l) => l.token_hash)).toEqual([sha256(fresh.token!)]);
  });

  it('sends at most three links an hour to one email', async () => {
    const { church } = await churchWithOwner(services);
    for (let i = 0; i < 3; i++) expect((await resetLinkFor(church.email)).link).toBeTruthy();
    const fourth = await errorOf(caller(services, null, freshIp()).passwordReset.request({ email: church.email }));
    expect(fourth).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });
});

/** Turn two-factor sign-in on for a signed-in admin; the secret (for codes) and the recovery codes. */
async function enrol(client: SignedInClient) {
  const started = await client.caller.twoFactor.begin();
  expect(started.qrCode).toMatch(/^data:image\/png;base64,/);
  expect(started.uri).toMatch(/^otpauth:\/\/totp\/Steeple:/);
  const secret = started.secret.replace(/\s/g, '');
  const { recoveryCodes } = await client.caller.twoFactor.confirm({ code: await generate({ secret }) });
  return { secret, recoveryCodes };
}

/** A code for the step `ahead` steps from now (each code is accepted once, so every sign-in needs a new step). */
const codeAt = (secret: string, ahead: number) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + ahead * 30 });

describe('two-factor sign-in', () => {
  it('enrols with a code, then asks for one at sign-in; a code works once; a recovery code works once', async () => {
    const { church, owner } = await churchWithOwner(services);
    const wrong = await errorOf(owner.caller.twoFactor.confirm({ code: '000000' }));
    expect(wrong).toMatchObject({ code: 'CONFLICT' }); // not begun yet
    await owner.caller.twoFactor.begin();
    expect(await errorOf(owner.caller.twoFactor.confirm({ code: '123456' }))).toMatchObject({ code: 'BAD_REQUEST' });
    const { secret, recoveryCodes } = await enrol(owner);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(recoveryCodes[0]).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(await owner.caller.twoFactor.status()).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    const ip = freshIp();
    const creds = { email: church.email, password: church.password };
    await expect(signInWithPassword(services, creds, ip)).rejects.toThrow(CODE_NEEDED);
    await expect(signInWithPassword(services, { ...creds, code: '000000' }, ip)).rejects.toThrow(CODE_WRONG);
    const code = await codeAt(secret, 1);
    await signInWithPassword(services, { ...creds, code }, ip);
    await expect(signInWithPassword(services, { ...creds, code }, freshIp())).rejects.toThrow(CODE_WRONG);

    const recovery = recoveryCodes[3]!.toLowerCase().replace('-', ' ');
    await signInWithPassword(services, { ...creds, code: recovery }, freshIp());
    await expect(signInWithPassword(services, { ...creds, code: recovery }, freshIp())).rejects.toThrow(CODE_WRONG);
    expect(await owner.caller.twoFactor.status()).toMatchObject({ recoveryCodesLeft: 9 });

    // New codes replace every old one; turning it off needs the password.
    const fresh = await owner.caller.twoFactor.newRecoveryCodes({ password: church.password });
    await expect(signInWithPassword(services, { ...creds, code: recoveryCodes[0]! }, freshIp())).rejects.toThrow(
      CODE_WRONG,
    );
    await signInWithPassword(services, { ...creds, code: fresh.recoveryCodes[0]! }, freshIp());
    expect(await errorOf(owner.caller.twoFactor.disable({ password: 'not it at all' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    await owner.caller.twoFactor.disable({ password: church.password });
    await signInWithPassword(services, creds, freshIp());
  });

  it('wrong codes count as failed sign-ins: five from one address lock it out, even with the right code', async () => {
    const { church, owner } = await churchWithOwner(services);
    const { secret } = await enrol(owner);
    const ip = freshIp();
    const creds = { email: church.email, password: church.password };
    // Being asked for the code is not a failure: many in a row lock nothing.
    for (let i = 0; i < 6; i++) await expect(signInWithPassword(services, creds, ip)).rejects.toThrow(CODE_NEEDED);
    for (let i = 0; i < 5; i++)
      await expect(signInWithPassword(services, { ...creds, code: `${100000 + i}` }, ip)).rejects.toThrow(CODE_WRONG);
    const locked = signInWithPassword(services, { ...creds, code: await codeAt(secret, 1) }, ip);
    await expect(locked).rejects.toThrow(/Too many attempts/);
  });

  it('an owner can require it of the team: a teammate without it can only set it up', async () => {
    const { church, owner } = await churchWithOwner(services);
    const first = await errorOf(owner.caller.twoFactor.requireForTeam({ required: true }));
    expect(first).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/for yourself first/) });
    await enrol(owner);
    const staff = await addTeammate(services, owner.caller, `staff-${church.adminId.slice(0, 6)}@example.org`, 'staff');
    const member = await signIn(services, staff.email, staff.password);
    expect(await errorOf(member.caller.twoFactor.requireForTeam({ required: true }))).toMatchObject({
      code: 'FORBIDDEN',
    });

    expect(await owner.caller.twoFactor.requireForTeam({ required: true })).toEqual({
      required: true,
      withoutTwoFactor: 1,
    });
    expect(await member.caller.account.me()).toMatchObject({ mustSetUpTwoFactor: true });
    const blocked = await errorOf(member.caller.members.list({}));
    expect(blocked).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/requires two-factor/) });
    expect(await errorOf(owner.caller.twoFactor.disable({ password: church.password }))).toMatchObject({
      code: 'PRECONDITION_FAILED',
    });

    await enrol(member);
    expect(await member.caller.account.me()).toMatchObject({ mustSetUpTwoFactor: false });
    await member.caller.members.list({});
  });
});
