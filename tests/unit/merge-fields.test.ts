import { describe, expect, it } from 'vitest';
import {
  emptyMergeProblem,
  mergeFieldProblem,
  mergeFields,
  mergeFieldsUsed,
  unknownMergeFields,
} from '@/server/messaging/merge-fields';
import { countSegments } from '@/server/messaging/segments';

describe('merge fields', () => {
  const ann = { first_name: 'Ann', last_name: 'Lee', church_name: 'Grace Chapel', branch_name: 'North' };

  it('replaces each field, in any case and with spaces inside the braces', () => {
    expect(mergeFields('Hi {first_name} {LAST_NAME} of { branch_name }, from {church_name}', ann)).toBe(
      'Hi Ann Lee of North, from Grace Chapel',
    );
  });

  it('uses the fallback for an empty or missing value, and nothing when there is no fallback', () => {
    expect(mergeFields('Hi {first_name|friend}!', { first_name: '  ' })).toBe('Hi friend!');
    expect(mergeFields('Hi {first_name| dear friend }!', {})).toBe('Hi dear friend!');
    expect(mergeFields('Hi {first_name}!', { first_name: null })).toBe('Hi !');
    expect(mergeFields('Hi {first_name|friend}!', ann)).toBe('Hi Ann!');
  });

  it('leaves unknown fields and lone braces as written (validation refuses them before sending)', () => {
    expect(mergeFields('{frist_name} {} { a b } {', ann)).toBe('{frist_name} {} { a b } {');
    expect(unknownMergeFields('{frist_name} {x|y} {FRIST_NAME} {first_name} {frist_name}')).toEqual([
      'frist_name',
      'x',
      'FRIST_NAME',
    ]);
  });

  it('lists the known fields a text uses, once each, whatever their case or fallback', () => {
    expect(mergeFieldsUsed('Hi {First_Name|friend}, {first_name}! {nick} from {church_name}')).toEqual([
      'first_name',
      'church_name',
    ]);
    expect(mergeFieldsUsed('No fields {here}')).toEqual([]);
  });

  it('asks for a fallback, naming one person or how many', () => {
    expect(emptyMergeProblem({ count: 1, name: 'New contact' })).toBe(
      'For New contact the merge fields leave nothing: add a fallback, like {first_name|friend}.',
    );
    expect(emptyMergeProblem({ count: 1200, name: 'Ann Lee' })).toMatch(/^For 1,200 recipients \(Ann Lee among them\)/);
  });

  it('names the unknown fields and the known ones in its message', () => {
    expect(mergeFieldProblem('Hi {first_name|friend}')).toBeNull();
    expect(mergeFieldProblem('Hi {nick}')).toBe(
      'Unknown merge field {nick}. Use {first_name}, {last_name}, {church_name}, {branch_name}.',
    );
  });

  it("knows the church's custom fields when given their keys, and fills them from the values given", () => {
    expect(mergeFieldProblem('On {baptism_date|your day}', ['baptism_date'])).toBeNull();
    expect(mergeFieldProblem('On {baptism_dat}', ['baptism_date'])).toBe(
      'Unknown merge field {baptism_dat}. Use {first_name}, {last_name}, {church_name}, {branch_name}, {baptism_date}.',
    );
    expect(mergeFieldsUsed('{Baptism_Date} {first_name} {x}', ['baptism_date'])).toEqual([
      'baptism_date',
      'first_name',
    ]);
    // A custom field present with no value takes its fallback; one not among the values stays as written.
    expect(mergeFields('{baptism_date|soon} / {role}', { baptism_date: null })).toBe('soon / {role}');
    expect(mergeFields('{baptism_date|soon}', { baptism_date: 'March 31, 2024' })).toBe('March 31, 2024');
  });

  it('a merged name can change the encoding and so the segment count', () => {
    const body = `Hi {first_name}, ${'x'.repeat(150)}`;
    expect(countSegments(mergeFields(body, { first_name: 'Ann' })).segments).toBe(1);
    // "José" is GSM-7 (é is in its basic set); "Zoë" is not: the whole text becomes UCS-2, 67 characters a part.
    expect(countSegments(mergeFields(body, { first_name: 'José' })).segments).toBe(1);
    expect(countSegments(mergeFields(body, { first_name: 'Zoë' })).segments).toBe(3);
  });
});
