import { describe, expect, it } from 'vitest';
import { countSegments } from '@/server/messaging/segments';

const a = (n: number) => 'a'.repeat(n);
const zh = (n: number) => '中'.repeat(n); // outside GSM-7: forces UCS-2, one UTF-16 unit each
const EMOJI = '😀'; // one code point, two UTF-16 units

describe('countSegments', () => {
  const table: [name: string, text: string, encoding: 'GSM-7' | 'UCS-2', units: number, segments: number][] = [
    ['empty', '', 'GSM-7', 0, 0],
    ['one GSM char', 'a', 'GSM-7', 1, 1],
    ['160 GSM chars', a(160), 'GSM-7', 160, 1],
    ['161 GSM chars', a(161), 'GSM-7', 161, 2],
    ['306 GSM chars', a(306), 'GSM-7', 306, 2],
    ['307 GSM chars', a(307), 'GSM-7', 307, 3],
    ['459 GSM chars', a(459), 'GSM-7', 459, 3],
    ['460 GSM chars', a(460), 'GSM-7', 460, 4],
    ['every extended char counts 2', '€{}[]~^\\|', 'GSM-7', 18, 1],
    ['80 euro signs fill one segment', '€'.repeat(80), 'GSM-7', 160, 1],
    ['81 euro signs need two', '€'.repeat(81), 'GSM-7', 162, 2],
    ['159 chars + one extended = 161 units', a(159) + '€', 'GSM-7', 161, 2],
    // 152 + 2 would straddle the 153 boundary: the € moves whole to segment 2, which then overflows into a third.
    ['extended char straddling the 153 boundary moves whole', a(152) + '€' + a(152), 'GSM-7', 306, 3],
    ['same units without straddling', a(151) + '€' + a(153), 'GSM-7', 306, 2],
    ['GSM accented set stays GSM-7', 'é ñ Ä ö ü à è ù ì ò Ç Ø å Æ ß É ¿ ¡ £ ¥ §', 'GSM-7', 41, 1],
    ['160 accented GSM chars', 'é'.repeat(160), 'GSM-7', 160, 1],
    ['newline and CR are GSM', 'line one\nline two\r\n', 'GSM-7', 19, 1],
    ['one non-GSM char switches to UCS-2', a(69) + '中', 'UCS-2', 70, 1],
    ['UCS-2 70', zh(70), 'UCS-2', 70, 1],
    ['UCS-2 71', zh(71), 'UCS-2', 71, 2],
    ['UCS-2 134', zh(134), 'UCS-2', 134, 2],
    ['UCS-2 135', zh(135), 'UCS-2', 135, 3],
    ['GSM text + lowercase ç (not in GSM-7) is UCS-2', a(100) + 'ç', 'UCS-2', 101, 2],
    ['extended chars count 1 in UCS-2', '€'.repeat(70) + '中', 'UCS-2', 71, 2],
    ['emoji count 2 units', EMOJI, 'UCS-2', 2, 1],
    ['35 emoji fill one segment', EMOJI.repeat(35), 'UCS-2', 70, 1],
    ['36 emoji need two', EMOJI.repeat(36), 'UCS-2', 72, 2],
    // 66 units + emoji would straddle 67: the emoji moves whole, so 66 + [2 + 66] = 3 segments, not ceil(134/67) = 2.
    ['emoji straddling the 67 boundary is never split', zh(66) + EMOJI + zh(66), 'UCS-2', 134, 3],
    ['same units without straddling', zh(65) + EMOJI + zh(67), 'UCS-2', 134, 2],
  ];

  it.each(table)('%s', (_name, text, encoding, units, segments) => {
    const got = countSegments(text);
    expect({ encoding: got.encoding, units: got.units, segments: got.segments }).toEqual({ encoding, units, segments });
  });

  it('reports the per-segment limit and what is left of the current segment', () => {
    expect(countSegments('')).toMatchObject({ perSegment: 160, remaining: 160 });
    expect(countSegments(a(150))).toMatchObject({ perSegment: 160, remaining: 10 });
    expect(countSegments(a(161))).toMatchObject({ perSegment: 153, remaining: 153 - 8 });
    expect(countSegments(zh(71))).toMatchObject({ perSegment: 67, remaining: 67 - 4 });
    expect(countSegments(a(152) + '€')).toMatchObject({ segments: 1, remaining: 160 - 154 });
  });
});

describe('countSegments at the edges of the alphabets', () => {
  const table: [name: string, text: string, encoding: 'GSM-7' | 'UCS-2', units: number, segments: number][] = [
    // The form feed is in the GSM-7 extension table (an escape plus one), so it stays GSM-7 at two units.
    ['form feed is an extended GSM char', '\f', 'GSM-7', 2, 1],
    ['tab is not in GSM-7', 'a\tb', 'UCS-2', 3, 1],
    ['backtick is not in GSM-7', '`', 'UCS-2', 1, 1],
    ['curly apostrophe is not in GSM-7', 'it’s', 'UCS-2', 4, 1],
    ['Greek capitals in the basic table stay GSM-7', 'ΔΦΓΛΩΠΨΣΘΞ', 'GSM-7', 10, 1],
    ['Greek lower case is not in GSM-7', 'α', 'UCS-2', 1, 1],
    ['158 chars + one extended = exactly 160', a(158) + '€', 'GSM-7', 160, 1],
    ['153 + 153 extended-free is two segments', a(153 * 2), 'GSM-7', 306, 2],
    ['70 GSM chars + an emoji is 72 UCS-2 units', a(70) + EMOJI, 'UCS-2', 72, 2],
    ['a flag is two code points, four units', '🇺🇸', 'UCS-2', 4, 1],
    // A lone surrogate is one code point of one unit: counted, not thrown on.
    ['a lone surrogate counts one unit', '\uD800', 'UCS-2', 1, 1],
  ];

  it.each(table)('%s', (_name, text, encoding, units, segments) => {
    const got = countSegments(text);
    expect({ encoding: got.encoding, units: got.units, segments: got.segments }).toEqual({ encoding, units, segments });
  });

  it('an emoji that would straddle 67 leaves the rest of the segment empty', () => {
    // 66 units, then the emoji moves whole into segment 2: what is left is counted from there.
    expect(countSegments(zh(66) + EMOJI + zh(5))).toEqual({
      encoding: 'UCS-2',
      units: 73,
      segments: 2,
      perSegment: 67,
      remaining: 67 - 7,
      culprit: zh(1),
    });
  });

  it('names the first character that is not GSM text, so people can be told what shrank their texts', () => {
    expect(countSegments('Plain text only {}').culprit).toBeUndefined();
    expect(countSegments(`See you there ${EMOJI}`).culprit).toBe(EMOJI);
    expect(countSegments('It’s Sunday').culprit).toBe('’');
  });

  it('a full last segment has nothing remaining', () => {
    expect(countSegments(a(306))).toMatchObject({ segments: 2, remaining: 0 });
    expect(countSegments(zh(134))).toMatchObject({ segments: 2, remaining: 0 });
    expect(countSegments(a(160))).toMatchObject({ segments: 1, remaining: 0 });
    expect(countSegments(zh(70))).toMatchObject({ segments: 1, remaining: 0 });
  });
});
