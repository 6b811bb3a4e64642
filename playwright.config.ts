import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3210);
/**
 * e2e/fake-stripe.mjs: the app's Stripe calls go there (STRIPE_API_URL), and the billing test reads what it recorded.
 */
const stripePort = Number(process.env.E2E_STRIPE_PORT ?? port + 1);
/** `npm test` builds the app while the integration tests run and says so; a Playwright run of its own builds afresh. */
const rebuild = process.env.E2E_PREBUILT ? '' : '--rebuild';

/** End-to-end in Debian's Chromium against the app built and started as the README says (embedded PostgreSQL). */
export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    {
      command: 'node e2e/fake-stripe.mjs',
      url: `http://127.0.0.1:${stripePort}/__health`,
      timeout: 10_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { FAKE_STRIPE_PORT: String(stripePort) },
    },
    {
      // Its log goes to a file: the tests read the "development mail" it writes without SMTP_URL (e2e/dev-mail.ts).
      command: `mkdir -p .data && npx tsx scripts/start.ts ${rebuild} > .data/e2e-server.log`,
      url: `http://127.0.0.1:${port}/api/health`,
      timeout: 240_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        PORT: String(port),
        DATABASE_URL: '',
        EMBEDDED_PG_DIR: 'e2e-pg',
        LOG_LEVEL: 'warn',
        SIGNUPS_PER_HOUR_PER_IP: '1000',
        SIGNIN_FAILURES_PER_IP: '1000',
        // The simulated carrier review approves a registration a second after it is sent.
        SIMULATED_APPROVAL_SECONDS: '1',
        // METRICS_TOKEN in e2e/support.ts: the operator's /api/health details
        METRICS_TOKEN: 'e2e-metrics-token-0123456789',
        STRIPE_SECRET_KEY: 'sk_test_e2e_steeple',
        STRIPE_WEBHOOK_SECRET: 'whsec_e2e_steeple',
        STRIPE_PRICE_ID: 'price_e2e',
        STRIPE_API_URL: `http://127.0.0.1:${stripePort}`,
      },
    },
  ],
});
