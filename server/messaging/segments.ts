/**
 * SMS segment counting, shared by the reply box's live counter and the sender. A message that fits the GSM-7
 * alphabet costs 160 characters in one segment or 153 per segment when split (extended characters such as € or {
 * take two); anything else is sent as UCS-2: 70 in one, 67 per segment (emoji take two UTF-16 units).
 * A two-unit character is never split across segments, which is how handsets and carriers count.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿' +
  'abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

type Encoding = 'GSM-7' | 'UCS-2';
export type SegmentCount = {
  encoding: Encoding;
  units: number;
  segments: number;
  perSegment: number;
  remaining: number;
  /** Under UCS-2: the first character that is not GSM text, which people are told about (it shrinks every segment). */
  culprit?: string;
};

const LIMITS = { 'GSM-7': { single: 160, multi: 153 }, 'UCS-2': { single: 70, multi: 67 } } as const;

/** What a message costs in messages billed: its segments, or one MMS for anything with a picture. */
export const billedMessages = (text: string, picture: boolean) => (picture ? 1 : countSegments(text).segments);

export function countSegments(text: string): SegmentCount {
  const chars = [...text]; // code points
  const culprit = chars.find((c) => !basic.has(c) && !extended.has(c));
  const gsm = culprit === undefined;
  const encoding: Encoding = gsm ? 'GSM-7' : 'UCS-2';
  const why = gsm ? {} : { culprit };
  const widths = chars.map((c) => (gsm ? (extended.has(c) ? 2 : 1) : c.length)); // c.length: UTF-16 units
  const units = widths.reduce((a, b) => a + b, 0);
  const { single, multi } = LIMITS[encoding];
  if (units <= single)
    return { encoding, units, segments: units === 0 ? 0 : 1, perSegment: single, remaining: single - units, ...why };
  // Pack greedily so a two-unit character moves whole into the next segment.
  let segments = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > multi) {
      segments++;
      used = 0;
    }
    used += w;
  }
  return { encoding, units, segments, perSegment: multi, remaining: multi - used, ...why };
}
