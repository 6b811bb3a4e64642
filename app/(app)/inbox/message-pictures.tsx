import type { RouterOutputs } from '../../_lib/router-types';

type Picture = RouterOutputs['conversations']['get']['messages'][number]['pictures'][number];

const NOTE = 'rounded-lg bg-slate-100 px-3 py-2 text-xs text-slate-700';

/**
 * A message's pictures, each opening full size in a new tab (a signed link that lasts an hour). A member's picture
 * is fetched into Steeple's store just after it arrives, so it may say "arriving" for a moment; one that could not
 * be fetched, or is not a picture (a video, a contact card), says so rather than vanish.
 */
export function MessagePictures({ pictures, from }: { pictures: Picture[]; from: string }) {
  if (pictures.length === 0) return null;
  return (
    <div className="mb-1 flex flex-wrap gap-2" data-testid="message-pictures">
      {pictures.map((p, i) => (
        <PictureItem key={p.id} picture={p} alt={`Picture ${pictures.length > 1 ? `${i + 1} ` : ''}${from}`} />
      ))}
    </div>
  );
}

function PictureItem({ picture: p, alt }: { picture: Picture; alt: string }) {
  if (p.url)
    return (
      <a href={p.url} target="_blank" rel="noopener noreferrer" className="block">
        {/* eslint-disable-next-line @next/next/no-img-element -- a signed, expiring link: not for next/image */}
        <img
          src={p.url}
          alt={alt}
          loading="lazy"
          className="max-h-64 max-w-full rounded-lg bg-white object-contain"
          data-testid="message-picture"
        />
      </a>
    );
  if (p.state === 'fetching') return <p className={NOTE}>Picture arriving…</p>;
  if (p.state === 'unsupported') return <p className={NOTE}>An attachment Steeple cannot show ({p.contentType}).</p>;
  return <p className={NOTE}>A picture that could not be fetched from the carrier.</p>;
}
