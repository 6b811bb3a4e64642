import { describe, expect, it } from 'vitest';
import { enrollInput, sequenceInput } from '@/server/sequences/inputs';
import { MAX_STEPS } from '@/server/sequences/rules';

/** The sequence form's rules: the same schema checks the automations page as the admin types and the server. */
const step = { wait: 0, unit: 'hours' as const, body: 'Welcome, {first_name|friend}!' };
const valid = { name: 'First-time guests', trigger: { kind: 'connect_card', firstVisitOnly: true }, steps: [step] };
const problems = (input: unknown) => {
  const r = sequenceInput.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('sequenceInput', () => {
  it('accepts a sequence, defaulting to stop on reply and no second time through', () => {
    expect(sequenceInput.parse(valid)).toMatchObject({ stopOnReply: true, reenroll: false });
  });

  it.each([
    [{ ...valid, name: '  ' }, 'name: Name the sequence'],
    [{ ...valid, steps: [] }, 'steps: Add a first step'],
    [{ ...valid, steps: Array(MAX_STEPS + 1).fill(step) }, `steps: Use at most ${MAX_STEPS} steps`],
    [{ ...valid, steps: [{ ...step, body: ' ' }] }, 'steps.0.body: Write a message'],
    [{ ...valid, steps: [{ ...step, wait: -1 }] }, 'steps.0.wait: A wait cannot be negative'],
    [{ ...valid, steps: [{ ...step, wait: 1.5 }] }, 'steps.0.wait: Wait whole hours or days'],
    [{ ...valid, steps: [{ ...step, wait: 366, unit: 'days' }] }, 'steps.0.wait: Wait at most a year between steps'],
    [{ ...valid, steps: [{ ...step, atMinute: 540 }] }, 'steps.0.atMinute: A time of day goes with a wait in days'],
    [{ ...valid, steps: [{ ...step, unit: 'days', atMinute: 1440 }] }, 'steps.0.atMinute'],
    [{ ...valid, trigger: { kind: 'tag', tag: '' } }, 'trigger.tag: Choose a tag'],
    [{ ...valid, trigger: { kind: 'keyword', keywordId: 'JOIN' } }, 'trigger.keywordId: Choose a keyword'],
    [{ ...valid, trigger: { kind: 'date', fieldId: crypto.randomUUID() } }, 'trigger.atMinute'],
    [{ ...valid, trigger: { kind: 'weekly' } }, 'trigger.kind'],
  ])('refuses %j', (input, problem) => {
    expect(problems(input).join('\n')).toContain(problem);
  });

  it('takes a time of day with a wait in days, and a wait of up to a year', () => {
    expect(problems({ ...valid, steps: [{ ...step, unit: 'days', wait: 365, atMinute: 9 * 60 }] })).toEqual([]);
    expect(problems({ ...valid, steps: [{ ...step, wait: 24 * 365 }] })).toEqual([]);
  });
});

describe('enrollInput', () => {
  const id = crypto.randomUUID();
  it('takes chosen members or an audience, and nobody is not a choice', () => {
    const someone = [crypto.randomUUID()];
    expect(enrollInput.safeParse({ id, who: { type: 'members', memberIds: someone } }).success).toBe(true);
    expect(enrollInput.safeParse({ id, who: { type: 'audience', audience: { type: 'all' } } }).success).toBe(true);
    expect(enrollInput.safeParse({ id, who: { type: 'members', memberIds: [] } }).success).toBe(false);
    expect(enrollInput.safeParse({ id, who: { type: 'members', memberIds: ['x'] } }).success).toBe(false);
  });
});
