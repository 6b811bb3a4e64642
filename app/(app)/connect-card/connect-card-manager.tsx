'use client';

import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../_components/errors';
import { Alert, Loading, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { CardSettingsForm } from './card-settings-form';
import { CardShare } from './card-share';
import { CardWeeks } from './card-weeks';

/**
 * The connect card: its address and QR code to share, its settings (admins and the owner change them; staff see
 * them), and how many cards came in each week.
 */
export function ConnectCardManager() {
  const trpc = useTRPC();
  const canManage = useCan('connectCard.manage');
  const card = useQuery(trpc.connectCard.get.queryOptions());

  if (card.isPending)
    return (
      <Panel id="connect-card" title="Your card">
        <Loading label="Loading your connect card…" />
      </Panel>
    );
  if (card.error)
    return (
      <Panel id="connect-card" title="Your card">
        <Alert>{errorMessage(card.error)}</Alert>
      </Panel>
    );
  return (
    <div className="space-y-6">
      <CardShare url={card.data.url} qrSvg={card.data.qrSvg} enabled={card.data.settings.enabled} />
      <CardSettingsForm settings={card.data.settings} canManage={canManage} />
      <CardWeeks />
    </div>
  );
}
