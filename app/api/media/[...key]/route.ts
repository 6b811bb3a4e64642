import { servePicture } from '@/server/media/serve';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** A picture, by its signed, expiring link (server/media/signed-links.ts): Telnyx fetches ours, pages show them. */
export async function GET(request: Request, { params }: { params: Promise<{ key: string[] }> }) {
  const { key } = await params;
  return servePicture(getServices(), key.join('/'), new URL(request.url).searchParams);
}

// Telnyx and carriers may look before they fetch.
export { GET as HEAD };
