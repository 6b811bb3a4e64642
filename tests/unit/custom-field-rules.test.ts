import { describe, expect, it } from 'vitest';
import { createFieldInput } from '@/server/custom-fields/inputs';
import { formValue, isoDate, keyOf, parseValue, spokenValue } from '@/server/custom-fields/rules';

describe('custom field rules', () => {
  it('a label becomes a merge-field key: lower case, ASCII, underscores, starting with a letter', () => {
    expect(keyOf('Baptism date')).toBe('baptism_date');
    expect(keyOf('  Café / Ministry team!! ')).toBe('cafe_ministry_team');
    expect(keyOf('2nd campus')).toBe('field_2nd_campus');
    expect(keyOf('x'.repeat(80))).toHaveLength(40);
    expect(createFieldInput.parse({ label: 'Shirt size', type: 'choice', options: ['S', 'M', 's'] })).toEqual({
      label: 'Shirt size',
      type: 'choice',
      options: ['S', 'M'],
      key: 'shirt_size',
    });
    expect(createFieldInput.safeParse({ label: '!!!', type: 'text' }).success).toBe(false);
  });

  it('values are read by type and written back as they were read', () => {
    const field = (type: Parameters<typeof parseValue>[0]['type'], options: string[] = []) => ({
      label: 'F',
      type,
      options,
    });
    const cases: [Parameters<typeof parseValue>[0], string, string][] = [
      [field('text'), '  Peanuts ', 'Peanuts'],
      [field('number'), '1,250.50', '1250.50'],
      [field('number'), '-3', '-3'],
      [field('number'), '.5', '0.5'],
      [field('date'), '2024-2-29', '2024-02-29'],
      [field('yes_no'), 'Y', 'yes'],
      [field('yes_no'), 'false', 'no'],
      [field('choice', ['Volunteer', 'Leader']), 'LEADER', 'Leader'],
    ];
    for (const [f, raw, stored] of cases) {
      const value = parseValue(f, raw);
      expect(formValue(value), raw).toBe(stored);
      expect(formValue(parseValue(f, formValue(value))), raw).toBe(stored); // round trip
    }
    expect(parseValue(field('number'), '   ')).toBeNull();
    for (const [f, raw] of [
      [field('number'), '1e5'],
      [field('number'), '12 kids'],
      [field('number'), '12,50'], // a decimal comma is refused, never read as 1250
      [field('number'), '1,2,3'],
      [field('date'), '2023-02-29'],
      [field('date'), '03/31/2024'],
      [field('yes_no'), 'perhaps'],
      [field('choice', ['A', 'B']), 'C'],
      [field('text'), 'x'.repeat(501)],
    ] as const)
      expect(() => parseValue(f, raw), raw).toThrow(/^F: /);
    expect(isoDate('1799-12-31')).toBeNull();
  });

  it('a value in a text reads as a person would write it', () => {
    expect(spokenValue('date', '2024-03-31')).toBe('March 31, 2024');
    expect(spokenValue('yes_no', 'yes')).toBe('Yes');
    expect(spokenValue('number', '12.50')).toBe('12.5');
    expect(spokenValue('number', '100')).toBe('100');
    expect(spokenValue('text', '')).toBeNull();
    expect(spokenValue('choice', null)).toBeNull();
  });
});
