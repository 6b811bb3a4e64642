import type { RouterOutputs } from '../../_lib/router-types';

export type KeywordItem = RouterOutputs['keywords']['list'][number];
