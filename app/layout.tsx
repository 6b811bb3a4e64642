import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Steeple', template: '%s · Steeple' },
  description: 'Texting and admin for churches',
};
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: its scripts carry that response's CSP nonce (scripts/serve.mjs), which a
  // page prerendered at build time could not.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
