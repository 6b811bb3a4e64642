'use client';

import { createContext, useContext } from 'react';
import { can, type Action } from '@/server/auth/permissions';
import type { Viewer } from '../_lib/viewer';

const ViewerContext = createContext<Viewer | null>(null);
export const ViewerProvider = ViewerContext.Provider;

/** The signed-in admin (name, email, role, church name), as the layout read it for this request. */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error('useViewer outside the signed-in area');
  return viewer;
}

/** Whether the signed-in admin may do `action`: the same table the server checks (server/auth/permissions.ts). */
export function useCan(action: Action): boolean {
  return can(useViewer().role, action);
}
