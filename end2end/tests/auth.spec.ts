import { test, expect, signIn, signOut, expectAccessible, secondFactor, demoSecret, totp, base32, PASSWORD } from './helpers';

// Each demo role signs in through the form and sees its own navigation.
const roles: { user: string; role: string; nav: string[]; notNav: string[] }[] = [
  { user: 'handlaggare', role: 'Handläggare', nav: ['Start'], notNav: ['Användare', 'Uppföljning'] },
  { user: 'handlaggare.malmo', role: 'Handläggare', nav: ['Start'], notNav: ['Användare'] },
  { user: 'programledare', role: 'Programledare', nav: ['Start', 'Uppföljning'], notNav: ['Användare'] },
  { user: 'passus', role: 'Samverkanspartner', nav: ['Start'], notNav: ['Användare'] },
  { user: 'polis', role: 'Polis', nav: ['Start'], notNav: ['Användare'] },
  { user: 'granskare', role: 'Loggranskare', nav: ['Start'], notNav: ['Användare'] },
  { user: 'admin', role: 'Systemadministratör', nav: ['Start', 'Organisationer', 'Användare'], notNav: [] },
];

for (const r of roles) {
  test(`${r.user} signs in and sees the ${r.role} navigation`, async ({ page }) => {
    await signIn(page, r.user);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('user-org')).toContainText(r.role);
    const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
    for (const item of r.nav) await expect(nav.getByRole('link', { name: item, exact: true })).toBeVisible();
    for (const item of r.notNav) await expect(nav.getByRole('link', { name: item, exact: true })).toHaveCount(0);
    await signOut(page);
    await page.goto('/');
    await expect(page).toHaveURL(/\/logga-in/);
  });
}

test('wrong password shows an error and no session', async ({ page }) => {
  await signIn(page, 'handlaggare', 'helt-fel-lösenord');
  await expect(page.getByTestId('login-error')).toContainText('Fel användarnamn eller lösenord');
  await page.goto('/');
  await expect(page).toHaveURL(/\/logga-in/);
});

test('sign-in page and start page are accessible', async ({ page, asUser }) => {
  await page.goto('/logga-in');
  await expectAccessible(page);
  const admin = await asUser('admin');
  await admin.goto('/');
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Välkommen');
  await expectAccessible(admin);
  await admin.goto('/admin/anvandare');
  await expect(admin.getByRole('table')).toBeVisible();
  await expectAccessible(admin);
});

// A page behind sign-in hydrates once its chunk of the wasm has arrived. Until then the tab keeps
// a title, so a screen reader and the browser's history never meet a blank one. The chunks are
// held back here, so the test sees that moment every time: first the server's title, then, once
// the main module has hydrated the shell, the shell's (the product's name). The shell may
// hydrate before or after the first chunk is asked for, so the test waits for its title.
test('the tab keeps a title while the code of a page is on its way', async ({ asUser }) => {
  const admin = await asUser('admin');
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let asked = () => {};
  const chunkAsked = new Promise<void>((resolve) => (asked = resolve));
  await admin.route(/\/pkg\/(split|chunk)_[^/]*\.wasm$/, async (route) => {
    asked();
    await held;
    await route.continue();
  });
  await admin.goto('/', { waitUntil: 'domcontentloaded' });
  await chunkAsked;
  expect(await admin.title()).toMatch(/^(.+ – )?Utväg$/);
  await expect(admin).toHaveTitle('Utväg');
  await expectAccessible(admin);
  release();
  await expect(admin).toHaveTitle(/^.+ – Utväg$/);
});

// During a rolling upgrade an instance may no longer have the build a tab was opened from, and
// the code of the next page cannot be fetched. A stopped wasm would ignore every click on a link
// from then on; the tab instead loads the page the user asked for from the server, from the
// build the server has now. Here the first request for the outcomes' chunk fails.
test('a tab whose next page cannot be fetched loads that page anew instead of stopping', async ({ asUser }) => {
  const lead = await asUser('programledare');
  await lead.goto('/');
  await lead.waitForLoadState('networkidle');
  let failed = 0;
  await lead.route(/\/pkg\/split_outcomes_[^/]*\.wasm$/, async (route) => {
    if (failed++ === 0) await route.fulfill({ status: 404, body: '' });
    else await route.continue();
  });
  const documents: string[] = [];
  lead.on('request', (r) => {
    if (r.resourceType() === 'document') documents.push(new URL(r.url()).pathname);
  });
  const menu = lead.getByRole('navigation', { name: 'Huvudmeny' });
  await menu.getByRole('link', { name: 'Uppföljning', exact: true }).click();
  await expect(lead).toHaveURL(/\/uppfoljning$/);
  await expect(lead.getByRole('heading', { level: 1 })).toContainText('Uppföljning');
  expect(documents).toEqual(['/uppfoljning']);
  // The page loaded anew hydrates (its chunk came the second time): a link is followed in the
  // app again, without another document.
  await lead.waitForLoadState('networkidle');
  await menu.getByRole('link', { name: 'Start', exact: true }).click();
  await expect(lead).toHaveURL(/\/$/);
  expect(documents).toEqual(['/uppfoljning']);
  expect(failed).toBe(2);
});

// A build whose chunks never come (the instances disagree for longer): the tab loads the page
// anew once, and then stays on what the server rendered rather than loading it again and again.
test('a tab whose page code never comes loads the page anew only once', async ({ asUser }) => {
  const lead = await asUser('programledare');
  await lead.goto('/');
  await lead.waitForLoadState('networkidle');
  await lead.route(/\/pkg\/split_outcomes_[^/]*\.wasm$/, (route) => route.fulfill({ status: 404, body: '' }));
  let documents = 0;
  lead.on('request', (r) => {
    if (r.resourceType() === 'document') documents++;
  });
  await lead.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Uppföljning', exact: true }).click();
  await expect(lead).toHaveURL(/\/uppfoljning$/);
  // What the server rendered stays readable.
  await expect(lead.getByRole('heading', { level: 1 })).toContainText('Uppföljning');
  await lead.waitForTimeout(3000);
  expect(documents).toBe(1);
});

test('admin creates an organisation and an account', async ({ page, asUser }) => {
  // The administrator works in the run's admin session; the new account signs in in a browser
  // of its own.
  const admin = await asUser('admin');
  await admin.goto('/admin/organisationer');
  await admin.waitForLoadState('networkidle');
  await admin.locator('#org-name').fill('Fryshuset Exit Göteborg');
  await admin.locator('#org-kind').selectOption('ngo');
  await admin.locator('#org-munis').fill('Göteborg, Mölndal');
  await admin.getByRole('button', { name: 'Skapa organisation' }).click();
  await expect(admin.getByRole('cell', { name: 'Fryshuset Exit Göteborg' })).toBeVisible();

  await admin.goto('/admin/anvandare');
  await admin.waitForLoadState('networkidle');
  await admin.locator('#u-username').fill('mentor.exit');
  await admin.locator('#u-name').fill('Mentor Exit');
  await admin.locator('#u-org').selectOption({ label: 'Fryshuset Exit Göteborg' });
  await admin.locator('#u-role').selectOption('partner');
  await admin.locator('#u-pw').fill('ett-långt-startlösenord');
  await admin.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(admin.getByRole('cell', { name: 'mentor.exit' })).toBeVisible();
  // A new partner account sets up its second factor at the first sign-in.
  await page.goto('/logga-in');
  await page.getByLabel('Användarnamn').fill('mentor.exit');
  await page.getByLabel('Lösenord').fill('ett-långt-startlösenord');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page).toHaveURL(/\/logga-in\/aktivera$/);
  await expect(page.getByTestId('totp-qr').locator('svg')).toBeVisible();
  await expect(page.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  await expectAccessible(page);
  const secret = base32((await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '');
  await secondFactor(page, 'mentor.exit', 'Aktivera och logga in', secret);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user-org')).toContainText('Fryshuset Exit Göteborg');
  // From now on the account asks for the code.
  await signOut(page);
  await page.goto('/logga-in');
  await page.getByLabel('Användarnamn').fill('mentor.exit');
  await page.getByLabel('Lösenord').fill('ett-långt-startlösenord');
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page).toHaveURL(/\/logga-in\/kod$/);
  await secondFactor(page, 'mentor.exit', 'Logga in', secret);
  await expect(page.getByTestId('user-org')).toContainText('Fryshuset Exit Göteborg');
});

test('a case worker signs in with the second factor; the password alone opens nothing', async ({ page }) => {
  // Henrik rather than Sara: the run's stored session and her navigation test take Sara's codes
  // of these same 30 seconds, and one more sign-in of hers would wait for the next step.
  await page.goto('/logga-in');
  await page.getByLabel('Användarnamn').fill('handlaggare2');
  await page.getByLabel('Lösenord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page).toHaveURL(/\/logga-in\/kod$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tvåstegsverifiering');
  await expectAccessible(page);
  // After the password alone, case pages still send the visitor to sign in.
  await page.goto('/arenden');
  await expect(page).toHaveURL(/\/logga-in(\?|$)/);
  await page.goto('/logga-in/kod');
  // A code far from now is refused with the message, and the page stays.
  const wrong = totp(demoSecret('handlaggare2'), Math.floor(Date.now() / 30_000) + 40);
  await page.getByLabel('Engångskod').fill(wrong);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await expect(page).toHaveURL(/\/logga-in\/kod\?fel=1$/);
  await expect(page.getByTestId('login-error')).toContainText('Koden stämmer inte');
  await secondFactor(page, 'handlaggare2', 'Logga in');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user-name')).toHaveText('Henrik Sjöblom');
  await page.goto('/arenden');
  await expect(page).toHaveURL(/\/arenden$/);
  await signOut(page);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-in works as a plain form post', async ({ page }) => {
    // Amra rather than Sara: no other test uses her codes, so this sign-in never waits for one.
    await signIn(page, 'handlaggare2.malmo');
    await expect(page.getByTestId('user-name')).toHaveText('Amra Kovač');
    await signOut(page);
    await expect(page.getByRole('status')).toContainText('Du är utloggad');
  });

  test('wrong password shows the error', async ({ page }) => {
    await signIn(page, 'polis', 'fel-fel-fel-fel');
    await expect(page.getByTestId('login-error')).toBeVisible();
  });
});
