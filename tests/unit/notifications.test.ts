import { describe, expect, it, vi } from 'vitest';
import { digestOf, emailOf, pathOf, pushesOf, subjectOf, type Notice } from '@/server/notifications/compose';
import { isPushServiceUrl, notificationChoicesInput, pushSubscriptionInput } from '@/server/notifications/inputs';
import { excerpt } from '@/server/notifications/kinds';
import { log } from '@/server/log';

/** What notifications say (server/notifications/compose.ts) and what the account page may send (inputs.ts). */

const church = { name: 'Grace Chapel', timezone: 'America/New_York' };
const at = new Date('2027-06-01T18:05:00Z'); // 14:05 in New York
const notice = (over: Partial<Notice & { id: string }> = {}): Notice & { id: string } => ({
  id: 'n1',
  kind: 'inbound',
  who: 'Ann Smith',
  excerpt: 'Hi there',
  at,
  conversationId: '11111111-1111-4111-8111-111111111111',
  memberId: '22222222-2222-4222-8222-222222222222',
  ...over,
});

describe('excerpt', () => {
  it('keeps the first 80 characters and marks the cut; a shorter text is whole', () => {
    expect(excerpt('a'.repeat(80))).toBe('a'.repeat(80));
    expect(excerpt('a'.repeat(81))).toBe(`${'a'.repeat(80)}…`);
    expect(excerpt('short')).toBe('short');
  });
  it('counts characters, not UTF-16 halves: 80 emoji are whole, 81 are cut between two', () => {
    expect(excerpt('🙏'.repeat(80))).toBe('🙏'.repeat(80));
    expect(excerpt('🙏'.repeat(81))).toBe(`${'🙏'.repeat(80)}…`);
  });
  it('never splits an emoji sequence or a flag at the cut; what it keeps is at most 80 code points', () => {
    const family = '👨‍👩‍👧‍👦'; // 7 code points, one grapheme
    const flag = '🇺🇸'; // 2 regional indicators, one grapheme
    const a = (n: number) => 'a'.repeat(n);
    expect(excerpt(`${a(77)}${family}`)).toBe(`${a(77)}…`); // would end at 84: left out whole
    expect(excerpt(`${a(73)}${family}b`)).toBe(`${a(73)}${family}…`); // ends at 80: kept whole
    expect(excerpt(`${a(79)}${flag}b`)).toBe(`${a(79)}…`); // would straddle 80: no lone half-flag
    expect(excerpt(`${a(78)}${flag}b`)).toBe(`${a(78)}${flag}…`);
    expect(excerpt(`${a(79)}${flag}🇬🇧`)).toBe(`${a(79)}…`); // two flags: never re-paired across the cut
    expect(excerpt(`${a(78)}${flag}🇬🇧`)).toBe(`${a(78)}${flag}…`);
    expect(excerpt(`${a(78)}e\u0301x`)).toBe(`${a(78)}e\u0301…`); // a letter and its accent, ending at 80
    expect(excerpt(`${a(79)}e\u0301`)).toBe(`${a(79)}…`); // …or straddling it: never the letter without its accent
    for (const text of [`${a(77)}${family}`, `${a(79)}${flag}🇬🇧`, family.repeat(20), flag.repeat(50)]) {
      const kept = excerpt(text).replace(/…$/, '');
      expect([...kept].length, text).toBeLessThanOrEqual(80);
      expect(text.startsWith(kept)).toBe(true);
    }
    expect(excerpt(family.repeat(20))).toBe(`${family.repeat(11)}…`); // 77 code points
    expect(excerpt(flag.repeat(50))).toBe(`${flag.repeat(40)}…`);
  });
});

describe('emails and pushes', () => {
  it('keeps member names as they are written in the subject and the first line', () => {
    const one = emailOf(church, [notice({ who: 'Ann McDonald-Smith' })], 'https://app.example.org');
    expect(one.subject).toBe('New text from Ann McDonald-Smith · Grace Chapel');
    expect(one.text.split('\n')[0]).toBe('Grace Chapel: new text from Ann McDonald-Smith');
    const card = emailOf(church, [notice({ kind: 'connect_card', who: 'DeShawn O’Neil' })], 'https://app.example.org');
    expect(card.text.split('\n')[0]).toBe('Grace Chapel: new connect card from DeShawn O’Neil');
    const many = emailOf(church, [notice(), notice({ id: 'n2' })], 'https://app.example.org');
    expect(many.text.split('\n')[0]).toBe('Grace Chapel: 2 new texts');
  });

  it('links to the thread, or to the member when a card has no thread yet', () => {
    expect(pathOf(notice())).toBe('/inbox?c=11111111-1111-4111-8111-111111111111');
    expect(pathOf(notice({ conversationId: null }))).toBe('/inbox?member=22222222-2222-4222-8222-222222222222');
  });

  it('says what came in: one thing by name, texts by count, a mix as notifications', () => {
    expect(subjectOf([notice()])).toBe('New text from Ann Smith');
    expect(subjectOf([notice({ kind: 'connect_card' })])).toBe('New connect card from Ann Smith');
    expect(subjectOf([notice(), notice()])).toBe('2 new texts');
    expect(subjectOf([notice(), notice({ kind: 'sequence_reply' })])).toBe('2 new notifications');
  });

  it('lists each with who, what, the church’s time, one line of what they wrote and an absolute link', () => {
    const mail = emailOf(church, [notice({ excerpt: 'Line one\nline two' })], 'https://app.example.org');
    expect(mail.subject).toBe('New text from Ann Smith · Grace Chapel');
    expect(mail.text).toContain('Ann Smith · text · 14:05\n  Line one line two\n');
    expect(mail.links).toEqual(['https://app.example.org/inbox?c=11111111-1111-4111-8111-111111111111']);
    expect(mail.text).toContain('https://app.example.org/account#notifications');
  });

  it('lists at most 50 and counts the rest', () => {
    const mail = emailOf(
      church,
      Array.from({ length: 53 }, () => notice()),
      'https://app.example.org',
    );
    expect(mail.links).toHaveLength(50);
    expect(mail.text).toContain('…and 3 more: https://app.example.org/inbox');
  });

  it('pushes one notification per event, or one that counts them when several come at once', () => {
    expect(pushesOf([notice()])).toEqual([
      {
        title: 'Text from Ann Smith',
        body: 'Hi there',
        url: '/inbox?c=11111111-1111-4111-8111-111111111111',
        tag: 'n1',
      },
    ]);
    const many = ['Ann', 'Bob', 'Cy', 'Di'].map((who, i) => notice({ who, id: `n${i}` }));
    expect(pushesOf(many)).toEqual([
      { title: '4 new notifications', body: 'Ann, Bob and 2 more', url: '/inbox', tag: 'steeple-summary' },
    ]);
  });

  it('a digest leaves out empty sections and counts what it does not list', () => {
    const mail = digestOf(
      church,
      [
        { title: 'Unread conversations', notices: [notice()], total: 4 },
        { title: 'Connect cards', notices: [], total: 0 },
      ],
      'https://app.example.org',
      at,
    );
    expect(mail.text).toContain('Unread conversations (4)\n- Ann Smith: Hi there\n');
    expect(mail.text).toContain('- …and 3 more');
    expect(mail.text).not.toContain('Connect cards');
    expect(mail.text).toContain('Tuesday 1 June');
  });
});

describe('inputs', () => {
  it('takes only the real push services’ https addresses on 443, never this machine, its network or a port', () => {
    for (const good of [
      'https://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com:443/fcm/send/abc',
      'https://FCM.googleapis.com/fcm/send/abc',
      'https://updates.push.services.mozilla.com/wpush/v2/abc',
      'https://web.push.apple.com/QGx',
      'https://api.push.apple.com/3/device/x',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bx',
    ])
      expect(isPushServiceUrl(good), good).toBe(true);
    for (const bad of [
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com./fcm/send/abc',
      'https://fcm.googleapis.com:8443/fcm/send/abc',
      'https://fcm.googleapis.com.evil.example/x',
      'https://evilfcm.googleapis.com/x',
      'https://push.apple.com/x',
      'https://notify.windows.com/x',
      'https://evil-push.apple.com.example/x',
      'https://127.0.0.1/push',
      'https://[::1]/push',
      'https://localhost/push',
      'https://localhost./',
      'https://metadata.google.internal./computeMetadata/v1/',
      'https://127.0.0.1.nip.io/',
      'https://169.254.169.254.nip.io/latest',
      'https://postgres.default.svc:5432/',
      'https://x.example.com:6379/',
      'https://printer.local/push',
      'https://intranet/push',
      'https://user:pw@fcm.googleapis.com/x',
      'https://user@fcm.googleapis.com/x',
      'https://web.push.apple.com:444/x',
      'not a url',
    ])
      expect(isPushServiceUrl(bad), bad).toBe(false);
    // The tests' stand-in, only when named (PushDeps.pushOrigins); still https and no userinfo.
    expect(isPushServiceUrl('https://127.0.0.1:4443/push/x', ['https://127.0.0.1:4443'])).toBe(true);
    expect(isPushServiceUrl('https://127.0.0.1:4444/push/x', ['https://127.0.0.1:4443'])).toBe(false);
    expect(isPushServiceUrl('https://u@127.0.0.1:4443/push/x', ['https://127.0.0.1:4443'])).toBe(false);
  });

  it('takes the keys a browser makes, and nothing else', () => {
    const keys = { p256dh: `B${'a'.repeat(86)}`, auth: 'b'.repeat(22) };
    const endpoint = 'https://fcm.googleapis.com/fcm/send/abc';
    expect(pushSubscriptionInput.safeParse({ endpoint, keys }).success).toBe(true);
    expect(pushSubscriptionInput.safeParse({ endpoint, keys: { ...keys, p256dh: 'short' } }).success).toBe(false);
    expect(pushSubscriptionInput.safeParse({ endpoint, keys: { ...keys, auth: 'x'.repeat(30) } }).success).toBe(false);
  });

  it('a digest time is a minute of the day, or none', () => {
    const off = { inbound: 'off', connectCard: false, sequenceReply: false };
    const ok = (digestMinute: unknown) =>
      notificationChoicesInput.safeParse({ email: off, push: off, digestMinute }).success;
    expect([ok(null), ok(0), ok(1439), ok(1440), ok(-1), ok(7.5)]).toEqual([true, true, true, false, false, false]);
    expect(
      notificationChoicesInput.safeParse({ email: { ...off, inbound: 'some' }, push: off, digestMinute: null }).success,
    ).toBe(false);
  });
});

describe('logs', () => {
  it('never carry an excerpt of what someone wrote, at any depth', () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      log.info('notice', { excerpt: 'please pray for my mother', notice: { Excerpt: 'she is in hospital' } });
    } finally {
      process.env.LOG_LEVEL = level;
      write.mockRestore();
    }
    const line = lines.join('');
    expect(line).toContain('"notice"');
    expect(line).not.toContain('pray');
    expect(line).not.toContain('hospital');
    expect(line).toContain('[redacted]');
  });
});
