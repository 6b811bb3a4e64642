import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { formatPhone } from '@/server/messaging/phone';
import { churchCard } from '../card-church';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ slug: string }> };

export const metadata: Metadata = { title: 'Privacy note' };

/** What the connect card links to when the church has no privacy note of its own: how the number is used. */
export default async function CardPrivacyPage({ params }: Props) {
  const { slug } = await params;
  const card = await churchCard(slug);
  if (!card) notFound();
  const { name, contactEmail, contactPhone, country } = card.profile;
  return (
    <main className="mx-auto min-h-screen w-full max-w-md space-y-3 px-4 py-8 text-slate-700">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">How {name} uses your details</h1>
      <p>
        {name} keeps what you write on its connect card to welcome you and keep in touch. Your details are kept by
        {` ${name}`} alone, are never sold, and are not shared with anyone for their marketing.
      </p>
      <p>
        If you agree to texts, {name} texts you about its services, events and news. How often varies. Message and data
        rates may apply. Reply STOP at any time to stop, and HELP for help.
      </p>
      {(contactEmail || contactPhone) && (
        <p>
          To ask what {name} keeps about you, or to have it removed, contact{' '}
          {[contactEmail, contactPhone && formatPhone(contactPhone, country)].filter(Boolean).join(' or ')}.
        </p>
      )}
      <p>
        <a href={`/c/${slug}`} className="font-medium text-brand-700 underline">
          Back to the connect card
        </a>
      </p>
    </main>
  );
}
