'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { downloadBlob } from '../../_components/download';
import { errorMessage } from '../../_components/errors';
import { Alert, Button, Notice, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';

const urlClass = 'mt-1 block break-all font-medium text-brand-600 underline underline-offset-2 hover:no-underline';
const linkButton =
  'inline-flex items-center justify-center rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-slate-800 ' +
  'shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50';

/** A data: URL's bytes as a Blob (fetch() cannot read data: URLs under the app's connect-src policy). */
function dataUrlBlob(dataUrl: string): Blob {
  const [head = '', base64 = ''] = dataUrl.split(',', 2);
  const type = /^data:([^;,]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

/**
 * Where the card lives: its address (open it, copy it) and its QR code, shown as an SVG and downloadable as one (for
 * screens and design tools) or as a 1,024 px PNG for print, fetched only when asked for.
 */
export function CardShare({ url, qrSvg, enabled }: { url: string; qrSvg: string; enabled: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [copied, setCopied] = useState<'' | 'yes' | 'no'>('');
  const [png, setPng] = useState<{ pending: boolean; error: unknown }>({ pending: false, error: null });
  const svgSrc = `data:image/svg+xml;utf8,${encodeURIComponent(qrSvg)}`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };

  const downloadPng = async () => {
    setPng({ pending: true, error: null });
    try {
      const dataUrl = await queryClient.fetchQuery(trpc.connectCard.qrPng.queryOptions());
      downloadBlob(dataUrlBlob(dataUrl), 'connect-card-qr.png');
      setPng({ pending: false, error: null });
    } catch (err) {
      setPng({ pending: false, error: err });
    }
  };

  return (
    <Panel
      id="connect-card"
      title="Your card"
      description="Print the QR code in the bulletin or show it on screen: people scan it with their phone’s camera."
    >
      <div className="space-y-4">
        {!enabled && (
          <Notice tone="info">
            The card is off: people who open it see “This page is not available”. Turn it on in the settings below.
          </Notice>
        )}
        <div className="flex flex-col gap-6 sm:flex-row sm:items-start">
          <div className="flex shrink-0 flex-col items-center gap-3 sm:items-start">
            {/* A data: URL of an SVG made on the server: next/image adds nothing here. */}
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img
              src={svgSrc}
              alt={`QR code for ${url}`}
              width={192}
              height={192}
              className="size-48 rounded-lg bg-white ring-1 ring-slate-200"
              data-testid="connect-card-qr"
            />
            <div className="flex flex-wrap justify-center gap-2">
              <a href={svgSrc} download="connect-card-qr.svg" className={linkButton}>
                Download SVG
              </a>
              <Button size="sm" variant="secondary" disabled={png.pending} onClick={downloadPng}>
                {png.pending ? 'Preparing PNG…' : 'Download PNG for print'}
              </Button>
            </div>
          </div>
          <div className="min-w-0 flex-1 space-y-3">
            <div>
              <h3 className="text-sm font-medium text-slate-800">Card address</h3>
              <a
                href={url}
                target="_blank"
                rel="noopener noreferrer"
                className={urlClass}
                data-testid="connect-card-url"
              >
                <span className="sr-only">Open the connect card: </span>
                {url}
                <span className="sr-only"> (opens in a new tab)</span>
              </a>
            </div>
            <Button size="sm" variant="secondary" onClick={copy}>
              Copy link
            </Button>
            <p aria-live="polite" className="text-xs text-slate-600">
              {copied === 'yes'
                ? 'Link copied.'
                : copied === 'no'
                  ? 'Your browser did not let us copy. Press and hold (or right-click) the address to copy it.'
                  : ''}
            </p>
            <p className="text-xs text-slate-500">
              The PNG is 1,024 pixels square: sharp at 8 cm (3 inches) wide in print. The SVG scales to any size.
            </p>
            {!!png.error && <Alert>{errorMessage(png.error)}</Alert>}
          </div>
        </div>
      </div>
    </Panel>
  );
}
