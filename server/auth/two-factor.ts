import { randomInt } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { TenantDb } from '@/db/tenant';
import { admins, recoveryCodes, type Admin } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { Conflict, Invalid, Precondition } from '@/server/domain-errors';
import type { Config } from '@/server/config';
import type { Services } from '@/server/services';
import { decryptSecret, encryptSecret } from '@/server/tenancy/secrets';
import { sha256 } from '@/server/tokens';
import { confirmPassword } from './password-check';
import { teamRequiresTwoFactor } from './team-security';

/**
 * Two-factor sign-in with an authenticator app (TOTP, RFC 6238, by otplib) and ten single-use recovery codes.
 * The secret is stored encrypted with STEEPLE_SECRET_KEY and only turned on once a code from the app proves it was
 * scanned; recovery codes are stored hashed and shown once.
 */
type Key = Pick<Config, 'STEEPLE_SECRET_KEY'>;
type Me = { db: TenantDb; tenantId: string; adminId: string; email: string };
/** Changes to two-factor sign-in ask for the password again (throttled as password changes are). */
type Confirm = { throttle: Services['throttle']; password: string };
const WRONG_PASSWORD = { message: 'Your password is not correct.', field: 'password' };

const ISSUER = 'Steeple';
const RECOVERY_CODES = 10;
// Unambiguous letters and digits (no 0/O, 1/I/L): read off paper and typed on a phone.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
// One 30-second step either side: a phone clock a little off still works.
const TOLERANCE_SECONDS = 30;

export async function twoFactorStatus(db: TenantDb, adminId: string) {
  const [me] = await db.select({ enabledAt: admins.totpEnabledAt }).from(admins).where(eq(admins.id, adminId));
  const [left] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.adminId, adminId), isNull(recoveryCodes.usedAt)));
  return {
    enabled: !!me?.enabledAt,
    enabledAt: me?.enabledAt ?? null,
    recoveryCodesLeft: left?.n ?? 0,
    requiredByTeam: await teamRequiresTwoFactor(db),
  };
}

/** A new secret, kept (encrypted) until confirmed; the QR code and the key to type for the authenticator app. */
export async function beginEnrolment(config: Key, { db, adminId, email }: Me) {
  const [me] = await db.select({ enabledAt: admins.totpEnabledAt }).from(admins).where(eq(admins.id, adminId));
  if (me?.enabledAt) throw new Conflict('Two-factor sign-in is already on. Turn it off first to use a new app.');
  const secret = generateSecret();
  await db
    .update(admins)
    .set({ totpSecret: encryptSecret(secret, config.STEEPLE_SECRET_KEY), totpLastStep: null })
    .where(eq(admins.id, adminId));
  const uri = generateURI({ issuer: ISSUER, label: email, secret });
  return { uri, qrCode: await QRCode.toDataURL(uri, { margin: 1, width: 240 }), secret: grouped(secret) };
}

/** The first code from the app turns two-factor sign-in on and gives out the recovery codes (shown once). */
export async function confirmEnrolment(config: Key, { db, adminId }: Me, code: string) {
  const [me] = await db.select().from(admins).where(eq(admins.id, adminId));
  if (!me?.totpSecret || me.totpEnabledAt) throw new Conflict('Start again: choose "Set up two-factor sign-in".');
  const step = await matchingStep(config, me.totpSecret, code, null);
  if (step === null) throw new Invalid('That code is not correct. Enter the 6 digits your app shows now.', 'code');
  return db.transaction(async (tx) => {
    await tx
      .update(admins)
      .set({ totpEnabledAt: new Date(), totpLastStep: step, updatedAt: new Date() })
      .where(eq(admins.id, adminId));
    await record(tx, { action: 'security.two_factor_on', by: { adminId } });
    return { recoveryCodes: await replaceRecoveryCodes(tx, adminId) };
  });
}

/** Off again (the password is asked first); refused while the church requires it. */
export async function disableTwoFactor(me: Me, { throttle, password }: Confirm) {
  const { db, adminId } = me;
  if (await teamRequiresTwoFactor(db))
    throw new Precondition('Your church requires two-factor sign-in, so it cannot be turned off.');
  await confirmPassword(throttle, me, password, WRONG_PASSWORD);
  await db.transaction(async (tx) => {
    await tx
      .update(admins)
      .set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, updatedAt: new Date() })
      .where(eq(admins.id, adminId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.adminId, adminId));
    await record(tx, { action: 'security.two_factor_off', by: { adminId } });
  });
}

/** Ten fresh recovery codes; every earlier one stops working. */
export async function newRecoveryCodes(me: Me, { throttle, password }: Confirm) {
  const { db, adminId } = me;
  await confirmPassword(throttle, me, password, WRONG_PASSWORD);
  const [row] = await db.select({ enabledAt: admins.totpEnabledAt }).from(admins).where(eq(admins.id, adminId));
  if (!row?.enabledAt) throw new Precondition('Turn on two-factor sign-in first.');
  const codes = await db.transaction(async (tx) => {
    await record(tx, { action: 'security.recovery_codes_renewed', by: { adminId } });
    return replaceRecoveryCodes(tx, adminId);
  });
  return { recoveryCodes: codes };
}

type Enrolled = Pick<Admin, 'id' | 'totpSecret' | 'totpEnabledAt' | 'totpLastStep'>;

/**
 * At sign-in, for the admin row sign-in has just read: a current code from the app (each accepted once: its step is
 * recorded) or an unused recovery code (used up by this). Both are single conditional statements, so two sign-ins
 * racing with one code cannot both pass, whatever the row said.
 */
export async function checkSecondFactor(config: Key, db: TenantDb, me: Enrolled, raw: string) {
  const adminId = me.id;
  const code = raw.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{6}$/.test(code)) {
    if (!me.totpSecret || !me.totpEnabledAt) return false;
    const step = await matchingStep(config, me.totpSecret, code, me.totpLastStep);
    if (step === null) return false;
    const taken = await db
      .update(admins)
      .set({ totpLastStep: step })
      .where(and(eq(admins.id, adminId), or(isNull(admins.totpLastStep), lt(admins.totpLastStep, step))))
      .returning({ id: admins.id });
    return taken.length === 1;
  }
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(eq(recoveryCodes.adminId, adminId), eq(recoveryCodes.codeHash, sha256(code)), isNull(recoveryCodes.usedAt)),
    )
    .returning({ adminId: recoveryCodes.adminId });
  return used.length === 1;
}

/** The time step a six-digit code matches (newer than `after`), or null. */
async function matchingStep(config: Key, sealed: string, code: string, after: number | null) {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const secret = decryptSecret(sealed, config.STEEPLE_SECRET_KEY);
  const result = await verify({
    secret,
    token,
    epochTolerance: TOLERANCE_SECONDS,
    ...(after === null ? {} : { afterTimeStep: after }),
  }).catch(() => ({ valid: false as const }));
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

async function replaceRecoveryCodes(tx: Pick<TenantDb, 'insert' | 'delete'>, adminId: string) {
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.adminId, adminId));
  await tx.insert(recoveryCodes).values(codes.map((c) => ({ adminId, codeHash: sha256(c.replace('-', '')) })));
  return codes;
}

/** 10 characters from a 31-letter alphabet (about 50 bits), shown as XXXXX-XXXXX. */
function recoveryCode() {
  const chars = Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** The key in groups of four, as authenticator apps show and accept it. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');
