'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { MAX_PICTURE_BYTES, TOO_LARGE } from '@/server/media/keys';
import { ErrorNotice } from './error-notice';
import { Button } from './ui';
import type { RouterOutputs } from '../_lib/router-types';
import { useTRPC } from '../trpc';

export type Picture = RouterOutputs['media']['upload'];
const ACCEPT = 'image/jpeg,image/png,image/gif';

/**
 * "Attach picture": the chosen file is uploaded at once (media.upload, which checks what it is by its bytes), then
 * shown small with its size and "Remove". Sent with the words it makes the text one MMS. The file picker's own
 * filter is a convenience only; the server decides.
 */
export function PicturePicker({
  picture,
  onChange,
  disabled,
}: {
  picture: Picture | null;
  onChange: (picture: Picture | null) => void;
  disabled?: boolean;
}) {
  const trpc = useTRPC();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [tooLarge, setTooLarge] = useState(false);
  const upload = useMutation(trpc.media.upload.mutationOptions({ onSuccess: onChange }));
  const choose = (file: File | undefined) => {
    if (input.current) input.current.value = ''; // choosing the same file again still uploads it
    upload.reset();
    setTooLarge(!!file && file.size > MAX_PICTURE_BYTES);
    if (file && file.size <= MAX_PICTURE_BYTES) upload.mutate(file);
  };

  if (picture)
    return (
      <div
        className="flex items-center gap-3 rounded-lg bg-slate-50 p-2 ring-1 ring-slate-200"
        data-testid="attached-picture"
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- a signed, expiring link: not for next/image */}
        <img src={picture.url ?? ''} alt="Picture to send" className="h-16 w-16 shrink-0 rounded-md object-cover" />
        <div className="min-w-0 flex-1 text-sm">
          <p className="font-medium text-slate-800">
            Picture · {kind(picture.contentType)} · {size(picture.bytes ?? 0)}
          </p>
          {picture.overCarrierLimit && (
            <p className="text-xs text-amber-800" data-testid="picture-size-warning">
              Over 600 KB: some carriers shrink pictures this large, or refuse them.
            </p>
          )}
        </div>
        <Button variant="ghost" size="sm" onClick={() => onChange(null)} disabled={disabled}>
          Remove picture
        </Button>
      </div>
    );

  return (
    <div className="space-y-1">
      <input
        ref={input}
        id={id}
        type="file"
        accept={ACCEPT}
        className="sr-only"
        aria-label="Picture to attach"
        tabIndex={-1} // the button below opens it
        disabled={disabled || upload.isPending}
        onChange={(e) => choose(e.target.files?.[0])}
        data-testid="picture-input"
      />
      <Button
        variant="secondary"
        size="sm"
        disabled={disabled || upload.isPending}
        onClick={() => input.current?.click()}
        aria-describedby={`${id}-hint`}
      >
        {upload.isPending ? 'Uploading picture…' : 'Attach picture'}
      </Button>
      <p id={`${id}-hint`} className="text-xs text-slate-500">
        JPEG, PNG or GIF, up to 5 MB. It goes as a picture message (MMS).
      </p>
      <div aria-live="polite" className="empty:hidden">
        {tooLarge && <p className="text-sm text-red-700">{TOO_LARGE}</p>}
        {upload.error && <ErrorNotice error={upload.error} />}
      </div>
    </div>
  );
}

const kind = (type: string) => type.replace('image/', '').toUpperCase();
const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
