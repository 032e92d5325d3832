import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, sessionFile, SessionUser, PASSWORD } from './helpers';

// Every route, for every role that can reach it, checked the way the people who use Utväg meet
// it: at a desktop width and at a phone's 360 px. On each page:
// - axe-core with every WCAG rule up to 2.2 AA reports no serious or critical violation (at
//   360 px the rules that depend on the layout);
// - at 360 px the page itself does not scroll sideways (a wide table scrolls in its own box);
// - a screenshot of the whole page goes to the test output (not committed), for a person to look
//   over after a run (end2end/test-results/screens/).
//
// Each role's pages are found the way its user finds them: from the start page, following the
// links on each page (each route once per role; ids in a path count as one route), so a page the
// role cannot reach by a link is not checked for it. The last test checks that together the roles
// reached every route of the router, apart from those listed in UNLINKED with the reason.

/** The router's routes (app/src/app.rs), `:x` for a path parameter. */
const ROUTES = [
  '/logga-in',
  '/logga-in/kod',
  '/logga-in/aktivera',
  '/logga-in/aterstallt',
  '/',
  '/admin/organisationer',
  '/admin/anvandare',
  '/admin/gallring',
  '/inkorg',
  '/arenden',
  '/arenden/ny',
  '/arenden/:x',
  '/arenden/:x/redigera',
  '/arenden/:x/team',
  '/arenden/:x/samtycken',
  '/arenden/:x/plan',
  '/arenden/:x/plan/utskrift',
  '/arenden/:x/sakerhet',
  '/arenden/:x/boende',
  '/arenden/:x/kontakt',
  '/arenden/:x/anteckningar',
  '/arenden/:x/tidslinje',
  '/arenden/:x/effekt',
  '/projekt',
  '/arenden/:x/vardnadshavare',
  '/grupper',
  '/grupper/:x',
  '/arenden/:x/registerutdrag',
  '/arenden/:x/overlamna',
  '/overlamningar',
  '/overlamningar/:x',
  '/granskning',
  '/uppfoljning',
  '/uppfoljning/rapport',
  '/granskning/nodatkomst',
  '/remisser',
  '/remisser/ny',
  '/remisser/skickad/:x',
  '/remisser/:x',
  '/samverkansrad',
  '/samverkansrad/:x',
  '/samverkansrad/:x/protokoll',
  '/lagesbild',
  '/lagesbild/:x/utskrift',
  '/lagesbild/:x/:x',
] as const;

/** Routes no role reaches by following links from its start page, and where they are checked. */
const UNLINKED: Record<string, string> = {
  '/logga-in/aktivera': 'first sign-in of a new user: auth.spec.ts checks it with axe',
  '/logga-in/aterstallt': 'after an administrator resets a second factor: auth.spec.ts',
  '/remisser/skickad/:x': 'the receipt after sending a referral: referrals.spec.ts',
  '/overlamningar/:x': 'a handover in progress: handover.spec.ts checks it with axe',
};

/** The router's route a path belongs to, or none for a path outside the app. */
function routeOf(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  const fixed = ROUTES.find((r) => {
    const rp = r.split('/').filter(Boolean);
    return rp.length === parts.length && rp.every((p, i) => p === parts[i]);
  });
  if (fixed) return fixed;
  return ROUTES.find((r) => {
    const rp = r.split('/').filter(Boolean);
    return rp.length === parts.length && rp.every((p, i) => p === ':x' || p === parts[i]);
  });
}

/** The in-app links of the current page: paths without query or fragment. */
async function linksOn(page: Page): Promise<string[]> {
  const hrefs = await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
  return [...new Set(hrefs.map((h) => h.split(/[?#]/)[0]).filter((h) => !h.startsWith('/api/') && !h.startsWith('/pkg/')))];
}

const WIDTHS = [1280, 360] as const;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
/** The axe rules checked again at 360 px: target size (WCAG 2.2), focusable scrolling boxes
 *  (a table that scrolls sideways on a phone), and contrast (the phone layout's own styles). */
const PHONE_RULES = ['target-size', 'scrollable-region-focusable', 'color-contrast'];

/** What is wrong with the current page at the current width: serious and critical axe
 *  violations, and a page that scrolls sideways. Writes the page's screenshot. */
async function problemsOn(page: Page, name: string, route: string, width: number): Promise<string[]> {
  const found: string[] = [];
  // Every rule at the desktop width; at a phone's width the rules whose outcome depends on the
  // layout (the rest read the same markup and styles, and would only double the time).
  const builder = new AxeBuilder({ page }).withTags(TAGS);
  const axe = await (width === WIDTHS[0] ? builder : builder.withRules(PHONE_RULES)).analyze();
  for (const v of axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
    found.push(`${name} @${width}px: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  }
  const wide = await page.evaluate(() => {
    const root = document.documentElement;
    const by = root.scrollWidth - root.clientWidth;
    if (by <= 1) return null;
    // The innermost elements that reach past the right edge, outside any box that scrolls or
    // clips them: what to fix.
    const clipped = (e: Element) => {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    };
    const past = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && !clipped(e));
    const inner = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
    const name = (e: Element) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${[...e.classList].map((c) => '.' + c).join('')}`;
    return `${by} px (${inner.slice(0, 3).map((e) => `${e.parentElement ? name(e.parentElement) + ' > ' : ''}${name(e)}`).join(', ')})`;
  });
  if (wide) found.push(`${name} @${width}px: the page scrolls sideways by ${wide}`);
  // One screenshot per route and width, from the first role that reaches it: enough to look
  // the pages over, and a full-page screenshot of a long page is the slowest step here.
  const shot = path.join(SCREENS_DIR, `${route.replace(/[/:]+/g, '_').replace(/^_|_$/g, '') || 'start'}-${width}.png`);
  if (!existsSync(shot)) await page.screenshot({ path: shot, fullPage: true });
  return found;
}

/** Where each role's test writes the routes it reached, for the last test: a file, because a
 *  failed test's worker is replaced and its memory with it. Emptied when a run starts. */
const REACHED_DIR = path.join(__dirname, '..', 'test-results', '.routes');

/** The screenshots of the pages at both widths (test output, emptied when a run starts). */
const SCREENS_DIR = path.join(__dirname, '..', 'test-results', 'screens');

function noteReached(who: string, routes: Iterable<string>) {
  mkdirSync(REACHED_DIR, { recursive: true });
  writeFileSync(path.join(REACHED_DIR, `${who}.json`), JSON.stringify([...routes]));
}

/** Visits every route `role` reaches by links from its start page, at both widths. The app's
 *  code is not loaded: what is checked is the page the server sends, which is what a browser
 *  without JavaScript gets and the markup the app hydrates. (The browser still runs scripts:
 *  axe-core runs in the page.) */
async function walk(page: Page, role: string, limit = 40): Promise<string[]> {
  const seen = new Set<string>();
  const queue = ['/'];
  const problems: string[] = [];
  while (queue.length > 0 && seen.size < limit) {
    const path = queue.shift()!;
    const route = routeOf(path);
    if (!route || seen.has(route)) continue;
    seen.add(route);
    await page.setViewportSize({ width: WIDTHS[0], height: 800 });
    const response = await page.goto(path);
    expect(response?.status(), `${role}: ${path}`).toBeLessThan(400);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      problems.push(...(await problemsOn(page, `${role}${route}`, route, width)));
    }
    for (const link of await linksOn(page)) {
      const r = routeOf(link);
      if (r && !seen.has(r)) queue.push(link);
    }
  }
  noteReached(role, seen);
  return problems;
}

const ROLES: SessionUser[] = ['handlaggare', 'programledare', 'passus', 'polis', 'skola', 'granskare', 'admin'];

test.describe('every route at 1280 and 360 px', () => {
  test('signed out: the sign-in pages', async ({ page }) => {
    const problems: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('/logga-in');
      problems.push(...(await problemsOn(page, 'signed-out/logga-in', '/logga-in', width)));
      // A refused sign-in (a user name nobody has, so no one's attempts are counted): the
      // message is on the page.
      await page.getByLabel('Användarnamn').fill('ingen.alls');
      await page.getByLabel('Lösenord').fill('fel lösenord');
      await page.getByRole('button', { name: 'Logga in' }).click();
      await page.waitForURL((u) => u.searchParams.has('fel'));
      problems.push(...(await problemsOn(page, 'signed-out/logga-in-fel', '/logga-in-fel', width)));
    }
    // The code step, reached with the password of a demo user no other test signs in as.
    await page.goto('/logga-in');
    await page.getByLabel('Användarnamn').fill('handlaggare2.malmo');
    await page.getByLabel('Lösenord').fill(PASSWORD);
    await page.getByRole('button', { name: 'Logga in' }).click();
    // Until the page has loaded (its style sheet applied), not only until its address shows:
    // axe measuring an unstyled page finds its targets too small.
    await page.waitForURL(/\/logga-in\/kod/, { waitUntil: 'load' });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      problems.push(...(await problemsOn(page, 'signed-out/logga-in/kod', '/logga-in/kod', width)));
    }
    noteReached('signed-out', ['/logga-in', '/logga-in/kod']);
    expect(problems).toEqual([]);
  });

  for (const role of ROLES) {
    test(`${role}: every page the role reaches`, async ({ browser }) => {
      test.setTimeout(300_000);
      const context = await browser.newContext({ storageState: sessionFile(role) });
      await context.route(/\/pkg\/utvag(_bg)?\.(js|wasm)$/, (r) => r.abort());
      try {
        expect(await walk(await context.newPage(), role)).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  test('together the roles reached every route', async () => {
    const reached = new Set<string>();
    for (const f of existsSync(REACHED_DIR) ? readdirSync(REACHED_DIR) : []) {
      for (const r of JSON.parse(readFileSync(path.join(REACHED_DIR, f), 'utf-8'))) reached.add(r);
    }
    const missing = ROUTES.filter((r) => !reached.has(r) && !(r in UNLINKED));
    expect(missing).toEqual([]);
  });
});
