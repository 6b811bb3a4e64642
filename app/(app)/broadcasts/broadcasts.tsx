'use client';

import { useState } from 'react';
import { Panel, StatusNotice } from '../../_components/ui';
import { useCan } from '../viewer-context';
import { BroadcastList } from './broadcast-list';
import { ComposeBroadcast } from './compose-broadcast';
import { SeriesList } from './series-list';

/** Composing is for admins and the owner (one click texts the whole church); everyone sees the list. */
export function Broadcasts() {
  const canSend = useCan('broadcasts.manage');
  const [status, setStatus] = useState('');
  return (
    <div className="space-y-6">
      <StatusNotice message={status} />
      {canSend ? (
        <ComposeBroadcast onDone={setStatus} />
      ) : (
        <Panel title="New broadcast">
          <p className="text-sm text-slate-600">
            Only admins and the owner can send broadcasts. You can follow their progress below.
          </p>
        </Panel>
      )}
      <SeriesList canManage={canSend} onDone={setStatus} />
      <BroadcastList canCancel={canSend} onDone={setStatus} />
    </div>
  );
}
