import type { RouterOutputs } from '../../_lib/router-types';

type ConnectCard = RouterOutputs['connectCard']['get'];
export type CardSettings = ConnectCard['settings'];
export type CardWeek = RouterOutputs['connectCard']['weeks'][number];
