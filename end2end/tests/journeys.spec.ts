import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, fictionalPersonnummer, SessionUser } from './helpers';

// The main journey of every role, twice: in Swedish with JavaScript at a desktop's 1280 px, and
// in English without JavaScript at a phone's 360 px — so every form on the way works as a plain
// post, and every page fits a phone. On an English page no text of the Swedish catalogue may
// show (a text left in a component, or a key used from the wrong language).

type Lang = 'sv' | 'en';
const RUNS: { lang: Lang; js: boolean; width: number }[] = [
  { lang: 'sv', js: true, width: 1280 },
  { lang: 'en', js: false, width: 360 },
];

const LOCALES = path.join(__dirname, '..', '..', 'app', 'locales');

/** Every text of a language's catalogue, by `area.key.sub`. */
function catalogue(lang: Lang): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'string') out.set(prefix, v);
    else for (const [k, w] of Object.entries(v as object)) walk(`${prefix}.${k}`, w);
  };
  for (const f of readdirSync(path.join(LOCALES, lang))) {
    walk(f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(LOCALES, lang, f), 'utf-8')));
  }
  return out;
}
const SV = catalogue('sv');
const EN = catalogue('en');

/**
 * Pieces of Swedish that must not show on an English page: the Swedish catalogue's texts cut at
 * placeholders and tags, where the piece is long enough to be telling and English differs.
 */
const SWEDISH_ONLY = (() => {
  const english = new Set([...EN.values()].flatMap((v) => pieces(v)));
  const out = new Set<string>();
  for (const v of SV.values()) for (const p of pieces(v)) if (!english.has(p)) out.add(p);
  return [...out];
})();
function pieces(v: string): string[] {
  // Whole phrases only: a single word or a short name may also be data (an organisation called
  // "Socialtjänsten …", a plan action titled as the council named it).
  return v
    .split(/\{\{[^}]*\}\}|<[^>]*>/)
    .map((p) => p.trim())
    .filter((p) => p.length >= 20 && p.includes(' '));
}

/**
 * Whether `text` is one of the language's timeline lines (`labels.event_line.*`), its values
 * filled in: each line of a timeline must be said in the page's language.
 */
function isEventLine(lang: Lang, text: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...(lang === 'sv' ? SV : EN).entries()]
    // Pieces of a line (one score) are not lines: a pattern must hold words of its own.
    .filter(([k, v]) => k.startsWith('labels.event_line.') && /[a-zåäö]{3}/i.test(v.replace(/\{\{[^}]*\}\}/g, '')))
    .some(([, v]) => new RegExp(`^${v.split(/\{\{[^}]*\}\}/).map(escape).join('.+')}$`).test(text));
}

/**
 * Swedish that English pages show because people wrote it: the demo's notes quote a measure's
 * name. Listed here, per path, and nowhere else allowed.
 */
const WRITTEN_BY_PEOPLE: [RegExp, string[]][] = [
  [/^\/arenden\/[^/]+\/sakerhet$/, ['Ansökan om skyddade personuppgifter']],
];

async function checkPage(page: Page, lang: Lang, width: number) {
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('h1').first()).toBeVisible();
  if (lang === 'en') {
    const body = await page.locator('body').innerText();
    const known = WRITTEN_BY_PEOPLE.filter(([re]) => re.test(new URL(page.url()).pathname)).flatMap(([, t]) => t);
    const leaked = SWEDISH_ONLY.filter((p) => body.includes(p) && !known.includes(p));
    expect(leaked, `Swedish on an English page (${page.url()})`).toEqual([]);
  }
  if (width <= 400) {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(wide, `the page scrolls sideways at ${width} px (${page.url()})`).toBeLessThanOrEqual(1);
  }
}

/** Follows the link to `href` on the page (the navigation or the content). */
async function follow(page: Page, href: string) {
  await page.locator(`a[href="${href}"]`).first().click();
  await page.waitForURL((u) => u.pathname === href.split('?')[0]);
}

for (const run of RUNS) {
  const label = `${run.lang === 'sv' ? 'Swedish' : 'English'}, JavaScript ${run.js ? 'on' : 'off'}, ${run.width} px`;

  test.describe(label, () => {
    test.use({ javaScriptEnabled: run.js, viewport: { width: run.width, height: 900 } });

    /** The stored session of `user`, in this run's language. */
    async function as(asUser: (u: SessionUser) => Promise<Page>, user: SessionUser): Promise<Page> {
      const page = await asUser(user);
      if (run.lang !== 'sv') {
        const url = new URL(test.info().project.use.baseURL ?? 'http://127.0.0.1');
        await page.context().addCookies([{ name: 'utvag_lang', value: run.lang, domain: url.hostname, path: '/' }]);
      }
      await page.goto('/');
      await checkPage(page, run.lang, run.width);
      return page;
    }

    const mark = () => `${run.lang}-${run.js ? 'js' : 'nojs'}-${Date.now() % 1_000_000}`;

    test('case worker: from the case list to a note on a case', async ({ asUser }) => {
      const page = await as(asUser, 'handlaggare');
      await follow(page, '/arenden');
      await checkPage(page, run.lang, run.width);
      // The worker's own cases (the list also names cases of the unit it cannot open); the first
      // whose notes the worker may read (other specs of the run hand cases over or close them),
      // then, of those, one that takes new notes (a case handed over does not).
      await page.goto('/arenden?mine=1');
      const cases = await page.getByTestId('case-list').locator('a[href^="/arenden/"]')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      let notes: string | null = null;
      for (const href of cases.slice(0, 8)) {
        await page.goto(href);
        const link = await page.locator('a[href$="/anteckningar"]').first().getAttribute('href', { timeout: 2_000 }).catch(() => null);
        if (!link || (await page.getByTestId('handed-over').count()) > 0) continue;
        notes = link;
        break;
      }
      expect(notes, 'one of the worker’s cases takes notes').not.toBeNull();
      await checkPage(page, run.lang, run.width);
      await follow(page, notes!);
      await checkPage(page, run.lang, run.width);
      const text = `Anteckning ${mark()}`;
      const form = page.getByTestId('add-note');
      await form.locator('textarea').fill(text);
      await form.locator('button[type=submit]').click();
      await expect(page.getByTestId('note').filter({ hasText: text })).toBeVisible();
      await checkPage(page, run.lang, run.width);
      // The shared timeline has it first, among what the case's work said happened (each in
      // this run's language).
      await page.goto(notes!.replace(/\/anteckningar$/, '/tidslinje'));
      await expect(page.getByTestId('event').first()).toContainText(text);
      await checkPage(page, run.lang, run.width);
      const lines = await page.locator('.event-line').allInnerTexts();
      expect(lines.length, 'the case’s work is on its timeline').toBeGreaterThan(0);
      for (const line of lines) expect(isEventLine(run.lang, line), `"${line}" in ${run.lang}`).toBe(true);
    });

    test('program lead: the outcomes and the printable report', async ({ asUser }) => {
      const page = await as(asUser, 'programledare');
      await follow(page, '/uppfoljning');
      await expect(page.getByTestId('dashboard')).toBeVisible();
      await checkPage(page, run.lang, run.width);
      await page.goto('/uppfoljning/rapport');
      await expect(page.getByTestId('report')).toBeVisible();
      await checkPage(page, run.lang, run.width);
    });

    test('partner: a contact logged from the start page', async ({ asUser }) => {
      const page = await as(asUser, 'passus');
      await page.getByTestId('quick-contact').first().click();
      await page.waitForURL(/\/kontakt$/);
      await checkPage(page, run.lang, run.width);
      const text = `Samtal ${mark()}`;
      const form = page.getByTestId('contact-form');
      await form.locator('#ct-kind').selectOption({ index: 1 });
      await form.locator('#ct-summary').fill(text);
      await form.locator('button[type=submit]').click();
      await expect(page.getByTestId('recent-contacts')).toContainText(text);
      await checkPage(page, run.lang, run.width);
    });

    test('police: from the threat picture to a case’s safety page', async ({ asUser }) => {
      const page = await as(asUser, 'polis');
      await page.getByTestId('police-view').locator('a[href$="/sakerhet"]').first().click();
      await page.waitForURL(/\/sakerhet$/);
      await expect(page.getByTestId('add-assessment')).toBeVisible();
      await checkPage(page, run.lang, run.width);
    });

    test('school: a report of concern sent', async ({ asUser }) => {
      const page = await as(asUser, 'skola');
      await follow(page, '/remisser/ny');
      await checkPage(page, run.lang, run.width);
      const form = page.getByTestId('referral-form');
      await form.locator('#r-pnr').fill(fictionalPersonnummer(new Date().getFullYear() - 15));
      await form.locator('#r-first').fill('Alva');
      await form.locator('#r-last').fill(`Resa${Date.now() % 100000}`);
      await form.locator('#r-muni').fill('Göteborg');
      await form.locator('input[type=checkbox][name^="form[reasons]"]').first().check();
      await form.locator('#r-desc').fill(`Oro ${mark()}`);
      await form.locator('button[type=submit]').click();
      await expect(page).toHaveURL(/\/remisser\/skickad\/R-\d{4}-\d{4}$/);
      await expect(page.getByTestId('referral-receipt')).toBeVisible();
      await checkPage(page, run.lang, run.width);
    });

    test('log reviewer: a search of the log', async ({ asUser }) => {
      const page = await as(asUser, 'granskare');
      await follow(page, '/granskning');
      await checkPage(page, run.lang, run.width);
      const form = page.getByTestId('log-search-form');
      await form.locator('button[type=submit]').click();
      await page.waitForURL(/\/granskning\?/);
      await expect(page.locator('table.audit').first()).toBeVisible();
      await checkPage(page, run.lang, run.width);
    });

    test('administrator: organisations and users', async ({ asUser }) => {
      const page = await as(asUser, 'admin');
      await follow(page, '/admin/organisationer');
      await expect(page.locator('table').first()).toBeVisible();
      await checkPage(page, run.lang, run.width);
      await follow(page, '/admin/anvandare');
      await expect(page.locator('table').first()).toBeVisible();
      await checkPage(page, run.lang, run.width);
    });
  });
}
