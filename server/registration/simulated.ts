import { randomUUID } from 'node:crypto';
import type { Registrar, Verdict } from './registrar';

/**
 * The local stand-in for carrier review: brands pass at once, campaigns and toll-free verifications are approved
 * `delayMs` after they were sent, numbers attach at once. Ids carry the time they were sent, so every process (the
 * app, its workers) gives the same answer without shared state.
 */
export function createSimulatedRegistrar(delayMs: number): Registrar {
  const idFor = (kind: string) => `sim-${kind}-${Date.now()}-${randomUUID().slice(0, 8)}`;
  const reviewed = (id: string): Verdict => {
    const sentAt = Number(id.split('-')[2]);
    const done = !Number.isFinite(sentAt) || Date.now() - sentAt >= delayMs;
    return { state: done ? 'approved' : 'pending', reasons: [] };
  };
  return {
    name: 'simulated',
    createBrand: async () => idFor('brand'),
    updateBrand: async () => {},
    brand: async () => ({ state: 'approved', reasons: [] }),
    findCampaign: async () => null,
    createCampaign: async () => idFor('campaign'),
    appealCampaign: async () => {},
    retireCampaign: async () => {},
    campaign: async (id) => reviewed(id),
    attach: async () => 'attached',
    createVerification: async () => idFor('tollfree'),
    updateVerification: async () => {},
    verification: async (id) => reviewed(id),
  };
}
