import { expect, test } from '@playwright/test';
import { newChurch, open, signUp, trpcQuery } from './support';

test("two churches signed up side by side never see each other's data, in the pages or through the API", async ({
  browser,
  baseURL,
}) => {
  const a = { ...newChurch('Alpha'), name: 'Alice Alpha' };
  const b = { ...newChurch('Beta'), name: 'Bob Beta' };
  const ctxA = await browser.newContext({ baseURL });
  const ctxB = await browser.newContext({ baseURL });
  const pageA = await ctxA.newPage();
  const pageB = await ctxB.newPage();
  await Promise.all([signUp(pageA, a), signUp(pageB, b)]);

  // Pages: each sees its own church and people only.
  for (const [page, own, other] of [
    [pageA, a, b],
    [pageB, b, a],
  ] as const) {
    await expect(page.getByTestId('church-name')).toHaveText(own.church);
    await expect(page.getByRole('main')).toContainText(own.church);
    await expect(page.locator('body')).not.toContainText(other.church);

    await open(page, '/team');
    const members = page.getByRole('list', { name: 'Team members' });
    await expect(members.getByTestId('member')).toHaveCount(1);
    await expect(members).toContainText(own.email);
    await expect(members).toContainText(own.name);
    await expect(page.locator('body')).not.toContainText(other.email);
    await expect(page.locator('body')).not.toContainText(other.name);
  }

  // API: with church A's cookie every answer is church A's, whatever is asked.
  for (const [ctx, own, other] of [
    [ctxA, a, b],
    [ctxB, b, a],
  ] as const) {
    const me = await trpcQuery(ctx.request, 'account.me');
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ churchName: own.church, email: own.email, name: own.name });

    const profile = await trpcQuery(ctx.request, 'church.profile');
    expect(profile.data.church.name).toBe(own.church);

    const team = await trpcQuery(ctx.request, 'team.list');
    expect(team.data.members.map((m: { email: string }) => m.email)).toEqual([own.email]);

    const admins = await trpcQuery(ctx.request, 'church.admins');
    expect(admins.data.map((m: { email: string }) => m.email)).toEqual([own.email]);

    for (const answer of [me, profile, team, admins]) {
      expect(answer.text).not.toContain(other.church);
      expect(answer.text).not.toContain(other.email);
      expect(answer.text).not.toContain(other.name);
    }
  }

  await ctxA.close();
  await ctxB.close();
});
