import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import { startWorker } from '@/server/jobs/worker';
import { createContext } from '@/server/trpc';
import { createTestRegistry, serverUrl, until, type TestRegistry } from './support/harness';
import { withDatabase } from '@/server/tenancy/urls';
import { createCaller } from './support/accounts';

describe('provisioning end to end', () => {
  let reg: TestRegistry;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const anonymous = () => createCaller(createContext({ session: null, services: reg.services }));

  beforeAll(async () => {
    reg = await createTestRegistry();
    worker = await startWorker(reg.services);
  });
  afterAll(async () => {
    await worker?.stop();
    await reg?.cleanup();
  });

  it('signs up, provisions a database from the template and serves the church through its own role', async () => {
    const { ticket } = await anonymous().onboarding.signup({
      churchName: 'Grace Chapel',
      timezone: 'America/Chicago',
      size: '100-499',
      adminName: 'Ruth Example',
      email: '  Ruth@Example.org ',
      password: 'correct horse battery',
    });
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const status = await until(async () => {
      const s = await anonymous().onboarding.status({ ticket });
      return s.state === 'ready' || s.state === 'failed' ? s : null;
    });
    expect(status.state).toBe('ready');
    expect(status.steps.map((s) => s.name)).toEqual([
      'create_database',
      'create_role',
      'create_admin',
      'start_trial',
      'activate',
    ]);
    expect(status.steps.every((s) => s.state === 'done')).toBe(true);
    expect(JSON.stringify(status)).not.toMatch(/stp_|tenant|registry|_t_/i);

    const [index] = await reg.services.registry.sql`select * from admin_email_index where email = 'ruth@example.org'`;
    const [tenant] = await reg.services.registry.sql`select * from tenants where id = ${index!.tenant_id}`;
    expect(tenant!.status).toBe('active');
    const [church] = await reg.services.registry.sql`select size from churches where tenant_id = ${tenant!.id}`;
    expect(church!.size).toBe('100-499');
    expect(tenant!.schema_version).toBeGreaterThan(0);
    const [job] = await reg.services.registry
      .sql`select admin_password_hash from provisioning_jobs where tenant_id = ${tenant!.id}`;
    expect(job!.admin_password_hash).toBeNull(); // the hash leaves the registry once the admin exists

    const session = { tenantId: tenant!.id, adminId: index!.admin_id, sessionId: 'test-session-1' };
    const caller = createCaller(createContext({ session, services: reg.services }));
    const profile = await caller.church.profile();
    expect(profile.church).toMatchObject({ name: 'Grace Chapel', timezone: 'America/Chicago' });
    expect(profile.me).toMatchObject({ name: 'Ruth Example', email: 'ruth@example.org', role: 'owner' });

    // The admin row lives in the church's own database, not in the registry.
    const admin = postgres(withDatabase(serverUrl(), tenant!.db_name), { max: 1 });
    const rows = await admin`select email, password_hash from admins`;
    await admin.end();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('rejects bad input with field errors and no internals', async () => {
    const err = await anonymous()
      .onboarding.signup({ churchName: '', timezone: 'Mars/Olympus', adminName: '', email: 'nope', password: 'short' })
      .catch((e) => e);
    expect(err.code).toBe('BAD_REQUEST');
    // One field error for each bad field, with the message the form shows next to it.
    const fields = Object.fromEntries((err.cause as ZodError).issues.map((i) => [i.path.join('.'), i.message]));
    expect(fields).toEqual({
      churchName: 'Enter the church name',
      timezone: 'Choose a valid timezone',
      adminName: 'Enter your full name',
      email: 'Enter a valid email address',
      password: 'Use at least 10 characters',
    });
    const status = await anonymous()
      .onboarding.status({ ticket: 'x'.repeat(43) })
      .catch((e) => e);
    expect(status.code).toBe('NOT_FOUND');
  });

  it('refuses tenant procedures without a session and for a church that is not active', async () => {
    await expect(anonymous().church.profile()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const ghost = createCaller(
      createContext({
        session: { tenantId: crypto.randomUUID(), adminId: crypto.randomUUID(), sessionId: 'test-session-2' },
        services: reg.services,
      }),
    );
    await expect(ghost.church.profile()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
