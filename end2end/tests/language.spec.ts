import { expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nextCode, test, PASSWORD } from './helpers';

/**
 * The interface in Swedish (the default) and English: chosen with the switch on every page, as a
 * plain form post (so it works without JavaScript), and remembered in the account of a signed-in
 * person so that it follows them to their next sign-in. Expected texts come from the catalogue.
 */

type Catalogue = Record<string, unknown>;
export function catalogue(lang: 'sv' | 'en', ns: string): Catalogue {
  const file = path.join(__dirname, '..', '..', 'app', 'locales', lang, `${ns}.json`);
  return JSON.parse(readFileSync(file, 'utf-8'));
}

/** The text at `key` ("sign_in.lead") of a catalogue namespace. */
export function text(lang: 'sv' | 'en', ns: string, key: string): string {
  const v = key.split('.').reduce<unknown>((o, k) => (o as Catalogue)?.[k], catalogue(lang, ns));
  if (typeof v !== 'string') throw new Error(`no text ${lang}/${ns}:${key}`);
  return v;
}

/** Signs in through the form by its fields' ids (whatever the page's language). */
async function signInAnyLanguage(page: Page, username: string) {
  await page.goto('/logga-in');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('form[action="/api/login"] button[type=submit]').click();
  await page.waitForURL((u) => u.pathname !== '/logga-in');
  for (let attempt = 0; attempt < 4 && new URL(page.url()).pathname === '/logga-in/kod'; attempt++) {
    await page.locator('#code').fill(await nextCode(username));
    await page.locator('form[action="/api/login/kod"] button.primary').click();
    await page.waitForURL((u) => u.pathname !== '/logga-in/kod' || u.searchParams.has('fel'));
  }
  await expect(page).toHaveURL(/\/$/);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the sign-in page switches to English and back', async ({ page }) => {
    await page.goto('/logga-in');
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await expect(page.getByLabel(text('sv', 'auth', 'sign_in.username'))).toBeVisible();

    await page.getByRole('button', { name: 'English' }).click();
    await expect(page).toHaveURL(/\/logga-in$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByText(text('en', 'auth', 'sign_in.lead'))).toBeVisible();
    await expect(page.getByLabel(text('en', 'auth', 'sign_in.username'))).toBeVisible();
    await expect(page).toHaveTitle(new RegExp(`^${text('en', 'auth', 'sign_in.title')}`));

    await page.getByRole('button', { name: 'Svenska' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await expect(page.getByLabel(text('sv', 'auth', 'sign_in.username'))).toBeVisible();
  });
});

test('a signed-in person’s choice follows them to their next sign-in', async ({ browser }) => {
  const user = 'handlaggare2.malmo';
  const first = await browser.newContext();
  const page = await first.newPage();
  await signInAnyLanguage(page, user);
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await page.getByRole('button', { name: 'English' }).click();
  try {
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('navigation', { name: text('en', 'common', 'main_menu') })
      .getByRole('link', { name: text('en', 'common', 'nav.cases') })).toBeVisible();

    // Another browser, nothing remembered in it: the account brings the language along.
    const second = await browser.newContext();
    const again = await second.newPage();
    await signInAnyLanguage(again, user);
    await expect(again.locator('html')).toHaveAttribute('lang', 'en');
    await expect(again.getByRole('button', { name: text('en', 'common', 'sign_out') })).toBeVisible();
    await second.close();
  } finally {
    await page.getByRole('button', { name: 'Svenska' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await first.close();
  }
});
