import { test as base, BrowserContext, Page, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PASSWORD = process.env.UTVAG_DEMO_PASSWORD ?? 'utvag-demo-2026';

/**
 * A demo user's TOTP secret: the first 20 bytes of HMAC-SHA256 of the user name under the label
 * "utvag demo totp v1" (`totp::demo_secret` on the server). Public on purpose and used only for
 * the demo users; every real enrolment gets a random secret.
 */
export function demoSecret(username: string): Buffer {
  return createHmac('sha256', 'utvag demo totp v1').update(username).digest().subarray(0, 20);
}

/** RFC 6238 TOTP code (HMAC-SHA1, six digits) of a 30-second step. */
export function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', secret).update(counter).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

/** Base32 (RFC 4648, no padding) to bytes: the secret an enrolment page shows. */
export function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const stepNow = () => Math.floor(Date.now() / 30_000);

/**
 * What one run keeps between its worker processes: the stored sessions and the code steps used.
 * It lives in Playwright's output folder, which is emptied when a run starts — as the server's
 * in-memory database is, so neither outlives the sessions and steps it describes.
 */
const RUN_DIR = path.join(__dirname, '..', 'test-results', '.auth');

/** The demo users that tests act as from a stored session (auth.setup.ts signs each in once). */
export const SESSION_USERS = ['handlaggare', 'handlaggare.malmo', 'handlaggare2', 'programledare', 'passus', 'polis', 'skola', 'granskare', 'admin'] as const;
export type SessionUser = (typeof SESSION_USERS)[number];

/** The stored browser state (session cookie) of `username`'s sign-in for this run. */
export function sessionFile(username: SessionUser): string {
  return path.join(RUN_DIR, `${username}.json`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the next unused code step of `username` for this run. The server accepts each user's
 * steps only in increasing order (the step before, at or after the current one), so the run
 * remembers the last step it used per user — in a file, because sign-ins of one user happen in
 * several worker processes — and waits for the next step only when all three are used.
 * `earliest` steps back from the current one: a code of the step before the current one is
 * refused once the next step begins, so a code entered where nothing retries (the sign-in
 * dialog of an ended session) is taken from the current step on (`0`).
 */
async function claimStep(username: string, earliest = 1): Promise<number> {
  const dir = path.join(RUN_DIR, 'totp');
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, `${username}.lock`);
  // Creating a directory is atomic: whoever creates it holds the user's steps. Nobody holds them
  // longer than one wait for the next step, so an older lock is one whose worker was stopped.
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 45_000) rmSync(lock, { recursive: true, force: true });
      else await sleep(25);
    }
  }
  try {
    const file = path.join(dir, `${username}.step`);
    const last = existsSync(file) ? Number(readFileSync(file, 'utf-8')) : 0;
    let step = Math.max(stepNow() - earliest, last + 1);
    if (step > stepNow() + 1) {
      await sleep((step - 1) * 30_000 - Date.now() + 300);
      step = Math.max(stepNow() - earliest, step);
    }
    writeFileSync(file, String(step));
    return step;
  } finally {
    rmdirSync(lock);
  }
}

/** A code for `username` that this run has not used yet (see `claimStep`). */
export async function nextCode(username: string, secret = demoSecret(username)): Promise<string> {
  return totp(secret, await claimStep(username));
}

/**
 * A code for `username` of the current step or a later one: still taken after a slow answer, for
 * the one place a refused code is not tried again.
 */
export async function freshCode(username: string, secret = demoSecret(username)): Promise<string> {
  return totp(secret, await claimStep(username, 0));
}

/** Enters codes on the code or enrolment page until one is taken (a step used earlier is refused). */
export async function secondFactor(page: Page, username: string, button: string, secret?: Buffer) {
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.getByLabel('Engångskod').fill(await nextCode(username, secret));
    await page.getByRole('button', { name: button }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/logga-in/') || u.searchParams.has('fel'));
    if (!new URL(page.url()).pathname.startsWith('/logga-in/')) return;
  }
  throw new Error(`second factor for ${username} refused`);
}

/**
 * Signs in through the sign-in page: the password, then the code (for demo users from their
 * demo secret), or — for a user who has none yet — the enrolment with the secret the page shows.
 */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto('/logga-in');
  await page.getByLabel('Användarnamn').fill(username);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL((u) => u.pathname !== '/logga-in' || u.searchParams.has('fel'));
  const path = new URL(page.url()).pathname;
  if (path === '/logga-in/kod') {
    await secondFactor(page, username, 'Logga in');
  } else if (path === '/logga-in/aktivera') {
    const secret = await page.getByTestId('totp-secret').getAttribute('data-secret');
    await secondFactor(page, username, 'Aktivera och logga in', base32(secret ?? ''));
  }
}

/**
 * The tests' `test`: with `asUser(name)`, a page in a browser context of its own that starts from
 * the demo user's stored session, so a test works as that user without a sign-in (and its wait
 * for a fresh code). The contexts close when the test ends. Never sign out on such a page: that
 * would end the session every other test of the run starts from; a test about signing out signs
 * in through the form first.
 */
export const test = base.extend<{ asUser: (username: SessionUser) => Promise<Page> }>({
  asUser: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (username) => {
      // The context gets the project's and the describe block's options (base URL, viewport,
      // JavaScript) from the runner, as the `page` fixture's does.
      const context = await browser.newContext({ storageState: sessionFile(username) });
      contexts.push(context);
      return context.newPage();
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
});

export { expect };

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  // A plain form post and the redirect after it: on a machine busy with the Rust tests beside
  // the browser tests this has taken longer than the default ten seconds.
  await expect(page).toHaveURL(/\/logga-in/, { timeout: 30_000 });
}

/** No WCAG 2.1 A/AA violations on the current page (interface.spec.ts checks every route up to
 *  2.2 AA). */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** The Luhn check digit over the nine digits YYMMDDNNN of a personnummer. */
export function luhnCheckDigit(nine: string): number {
  let sum = 0;
  for (let i = 0; i < nine.length; i++) {
    let d = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The numbers handed out in this worker, so that a run never registers one twice. */
const handedOut = new Set<string>();

/**
 * A valid personnummer for a fictional person born on a random day of `year`, with a birth
 * number in the 980–999 series used only for fictional people in the demo and the tests, never
 * one handed out before in this run. The demo's people are born 1990–2012: a test that only
 * needs an adult takes a year before 1990, so that its number cannot be a demo person's and be
 * refused as a duplicate.
 */
export function fictionalPersonnummer(year: number): string {
  for (;;) {
    const day = new Date(Date.UTC(year, 0, 1) + Math.floor(Math.random() * 365) * 86_400_000);
    const yy = String(year).slice(2);
    const mm = String(day.getUTCMonth() + 1).padStart(2, '0');
    const dd = String(day.getUTCDate()).padStart(2, '0');
    const nnn = String(980 + Math.floor(Math.random() * 20));
    const pnr = `${year}${mm}${dd}-${nnn}${luhnCheckDigit(`${yy}${mm}${dd}${nnn}`)}`;
    if (!handedOut.has(pnr)) {
      handedOut.add(pnr);
      return pnr;
    }
  }
}

/** `ÅÅÅÅ-MM-DD` in Swedish time, `days` from today: the server's "today" is Swedish, which is
 *  a day ahead of UTC in the first hour or two after midnight. */
export function swedishDate(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
}
