import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionChurch, type Church } from './support/accounts';
import { createTestRegistry, testSecrets, type TestRegistry } from './support/harness';

/** The operator CLI as an operator runs it: a separate process, configured from the environment only. */
describe('npm run tenants', () => {
  let reg: TestRegistry;
  let church: Church;
  let slug: string;
  let backups: string;

  const tenants = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error', BACKUP_DIR: backups };
      execFile('npx', ['tsx', 'scripts/tenants.ts', ...args], { env, timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    reg = await createTestRegistry();
    church = await provisionChurch(reg.services, { churchName: 'Grace Chapel' });
    slug = (await reg.admin`select slug from tenants where id = ${church.tenantId}`)[0]!.slug;
    backups = mkdtempSync(path.join(os.tmpdir(), 'steeple-cli-'));
  });
  afterAll(async () => {
    rmSync(backups, { recursive: true, force: true });
    await reg?.cleanup();
  });

  it('explains itself, and refuses an unknown command with usage (exit 2)', async () => {
    const help = await tenants('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/migrate \[--concurrency N\] \[--canary N\] \[--skip-failing\]/);
    const wrong = await tenants('frobnicate');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('lists and shows churches as JSON, never with the database secret', async () => {
    const list = JSON.parse((await tenants('list', '--json')).stdout);
    expect(list).toEqual([
      expect.objectContaining({ slug, name: 'Grace Chapel', status: 'active', server: 'default' }),
    ]);
    const shown = await tenants('show', slug, '--json');
    const detail = JSON.parse(shown.stdout);
    expect(detail).toMatchObject({ id: church.tenantId, slug, server: 'default' });
    expect(shown.stdout).not.toMatch(/dbSecret|db_secret/);
    expect((await tenants('show', 'no-such-church')).code).toBe(1);
  });

  it("sets a church's number limit, and back to the default", async () => {
    const limit = async () => (await reg.admin`select number_limit from tenants where id = ${church.tenantId}`)[0];
    expect(JSON.parse((await tenants('number-limit', slug, '3', '--json')).stdout)).toMatchObject({ numberLimit: 3 });
    expect(await limit()).toEqual({ number_limit: 3 });
    expect(JSON.parse((await tenants('show', slug, '--json')).stdout)).toMatchObject({ numberLimit: 3 });
    const bad = await tenants('number-limit', slug, 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the limit must be 0 to 1000, or default/);
    expect(JSON.parse((await tenants('number-limit', slug, 'default', '--json')).stdout)).toMatchObject({
      numberLimit: null,
    });
    expect(await limit()).toEqual({ number_limit: null });
  });

  it('suspends and resumes, migrates with a JSON report, backs up, and lists servers', async () => {
    expect(JSON.parse((await tenants('suspend', slug, '--reason', 'disk move', '--json')).stdout)).toMatchObject({
      church: slug,
      changed: true,
      status: 'suspended',
    });
    expect((await reg.admin`select status, status_reason from tenants where id = ${church.tenantId}`)[0]).toEqual({
      status: 'suspended',
      status_reason: 'disk move',
    });
    expect(JSON.parse((await tenants('resume', slug, '--json')).stdout)).toMatchObject({ status: 'active' });

    const migrate = await tenants('migrate', '--json');
    expect(migrate.code).toBe(0);
    expect(JSON.parse(migrate.stdout)).toMatchObject({
      failed: 0,
      stopped: null,
      templates: [expect.objectContaining({ server: 'default', ok: true })],
    });

    const backup = JSON.parse((await tenants('backup', slug, '--json')).stdout);
    expect(backup.file).toContain(backups);
    expect(readdirSync(backups).filter((f) => f.endsWith('.dump'))).toHaveLength(1);

    const servers = JSON.parse((await tenants('servers', 'list', '--json')).stdout);
    expect(servers).toEqual([expect.objectContaining({ name: 'default', churches: 1, accepting: true })]);
  });
});
