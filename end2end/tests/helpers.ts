import { Page, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';

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

// The server accepts each step of a user's codes once (the step before and after the current one
// too), so the run remembers the last step it used per user and takes the next one.
const lastStep = new Map<string, number>();

/**
 * A code for `username` that this run has not used yet: the step before, at or after the current
 * one; when those are all used, waits for the next step.
 */
export async function nextCode(page: Page, username: string, secret = demoSecret(username)): Promise<string> {
  let step = Math.max(stepNow() - 1, (lastStep.get(username) ?? 0) + 1);
  if (step > stepNow() + 1) {
    await page.waitForTimeout((step - 1) * 30_000 - Date.now() + 300);
    step = Math.max(stepNow() - 1, step);
  }
  lastStep.set(username, step);
  return totp(secret, step);
}

/** Enters codes on the code or enrolment page until one is taken (a step used earlier is refused). */
export async function secondFactor(page: Page, username: string, button: string, secret?: Buffer) {
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.getByLabel('Engångskod').fill(await nextCode(page, username, secret));
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

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await expect(page).toHaveURL(/\/logga-in/);
}

/** No WCAG 2.1 A/AA violations on the current page. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}
