import QRCode from 'qrcode';

/**
 * The connect card's QR code, for bulletins (a printable PNG) and screens (an SVG that scales). Error correction
 * "M" survives a smudged print; the quiet zone is the four modules scanners expect.
 */
const options = { errorCorrectionLevel: 'M', margin: 4 } as const;

export const qrSvg = (url: string) => QRCode.toString(url, { ...options, type: 'svg' });

/** 1,024 px square: sharp at 8 cm on a 300 dpi print. */
export const qrPng = (url: string) => QRCode.toBuffer(url, { ...options, type: 'png', width: 1024 });
