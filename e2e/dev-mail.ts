import { readFile } from 'node:fs/promises';
import { expect } from '@playwright/test';

/**
 * Without SMTP_URL the app logs each email it would have sent as "development mail" (its links beside it); the e2e
 * server's log goes to this file (playwright.config.ts). The `after`-th such mail to `to` whose subject contains
 * `subject`, waited for.
 */
export const SERVER_LOG = '.data/e2e-server.log';

type MailLine = { msg: string; to?: string; subject?: string; links?: string[] };

export async function devMailTo(to: string, subject: string, after = 0): Promise<MailLine & { links: string[] }> {
  let found: MailLine | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await readFile(SERVER_LOG, 'utf8').catch(() => ''))
          .split('\n')
          .filter((l) => l.includes('development mail'))
          .map((l) => JSON.parse(l) as MailLine)
          .filter((m) => m.to === to && !!m.subject?.includes(subject));
        found = mails[after];
        return !!found;
      },
      { message: `a development mail to ${to} about “${subject}”`, timeout: 10_000 },
    )
    .toBe(true);
  return found as MailLine & { links: string[] };
}
