import type { RouterOutputs } from '../../_lib/router-types';

export type TemplateItem = RouterOutputs['templates']['list'][number];
