import { defineConfig, devices } from '@playwright/test';

// The app is started once for the whole run on its own port with an in-memory database and
// demo data; Chromium is Debian's (/usr/bin/chromium) — nothing is downloaded.
const port = Number(process.env.E2E_PORT ?? 3917);
const baseURL = `http://127.0.0.1:${port}`;
const bin = process.env.UTVAG_BIN ?? '../target/debug/utvag';

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  // One worker by default: all tests share one server and one database. The suite also passes
  // with two (E2E_WORKERS=2; each file still runs in order in one worker), which saved about a
  // fifth of the time on 2 busy cores — not enough to risk a flaky `make test` for.
  workers: Number(process.env.E2E_WORKERS ?? 1),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  // Test results and, under test-results/.auth, the sessions that the setup project stores for
  // the run (see helpers.ts); Playwright empties the folder when a run starts.
  outputDir: './test-results',
  projects: [
    { name: 'setup', testMatch: /.*\.setup\.ts/, use: { ...devices['Desktop Chrome'] } },
    { name: 'chromium', testIgnore: /.*\.setup\.ts/, dependencies: ['setup'], use: { ...devices['Desktop Chrome'] } },
  ],
  webServer: {
    command: `${bin} serve`,
    url: `${baseURL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      UTVAG_ADDR: `127.0.0.1:${port}`,
      UTVAG_DB: 'mem://',
      UTVAG_DEMO: 'true',
      UTVAG_KEY_FILE: '../target/e2e/utvag.key',
      UTVAG_SITE_ROOT: '../target/site',
      UTVAG_LOG: 'warn',
    },
  },
});
