import type { RouterOutputs } from '../../_lib/router-types';

export type SegmentItem = RouterOutputs['segments']['list'][number];
