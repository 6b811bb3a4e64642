import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { issueFormToken } from '@/server/connect-card/form-token';
import { getServices } from '@/server/services';
import { churchCard } from './card-church';
import { CardForm } from './card-form';

export const dynamic = 'force-dynamic'; // each visit gets its own form token

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const card = await churchCard((await params).slug);
  return { title: card ? `Connect with ${card.church.name}` : 'Not available' };
}

/** The church's public connect card: no sign-in, made for a phone held in one hand. */
export default async function ConnectCardPage({ params }: Props) {
  const { slug } = await params;
  const card = await churchCard(slug);
  if (!card) notFound();
  const { church, settings } = card;
  return (
    <main className="mx-auto min-h-screen w-full max-w-md px-4 py-6 sm:py-12">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{church.name}</h1>
      <p className="mt-1 text-slate-600">We’re glad you’re here! Tell us a little about yourself.</p>
      <CardForm
        slug={slug}
        churchName={church.name}
        token={issueFormToken(getServices().config.STEEPLE_SECRET_KEY, slug)}
        prayerField={settings.prayerField}
        privacyUrl={settings.privacyUrl ?? `/c/${slug}/privacy`}
      />
    </main>
  );
}
