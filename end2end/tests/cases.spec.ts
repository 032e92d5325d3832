import { test, expect, Page } from '@playwright/test';
import { signIn, signOut, expectAccessible } from './helpers';

/** The Luhn check digit over the nine digits YYMMDDNNN of a personnummer. */
function luhnCheckDigit(nine: string): number {
  let sum = 0;
  for (let i = 0; i < nine.length; i++) {
    let d = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A valid personnummer for a fictional person born in 2005, with a birth number in the
 * 980–989 series used only for fictional people in this project's demo and tests.
 */
function fictionalPersonnummer(): string {
  const day = new Date(Date.UTC(2005, 0, 1) + Math.floor(Math.random() * 365) * 86_400_000);
  const mm = String(day.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(day.getUTCDate()).padStart(2, '0');
  const nnn = String(980 + Math.floor(Math.random() * 10));
  const nine = `05${mm}${dd}${nnn}`;
  return `2005${mm}${dd}-${nnn}${luhnCheckDigit(nine)}`;
}

test('the check digit matches a known fictional number', () => {
  // 2005-05-05, birth number 981: 0,5,0,5,0,5,9,8,1 weighted 2,1,2,1,… gives 0+5+0+5+0+5+9+8+2 = 34 → 6.
  expect(luhnCheckDigit('050505981')).toBe(6);
});

/**
 * Waits until the page's code has loaded, so forms are sent by the app rather than as plain
 * posts (which work too, but show their result only after a full reload).
 */
async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
}

/** Accept the browser's confirm() dialogs that guard destructive buttons. */
function acceptDialogs(page: Page) {
  page.on('dialog', (d) => d.accept());
}

async function fillParticipant(page: Page, first: string, last: string, pnr: string) {
  await page.getByLabel('Förnamn').fill(first);
  await page.getByLabel('Efternamn').fill(last);
  await page.getByLabel('Personnummer (ÅÅÅÅMMDD-NNNN)').fill(pnr);
  await page.getByLabel('Kön').selectOption('female');
  await page.getByLabel('Telefon').fill('070-174 06 99');
  await page.getByLabel('Adress').fill('Vändpunkten 7');
  await page.getByLabel('Bakgrund och situation').fill('Fiktiv testperson. Vill lämna ett nätverk.');
}

test.describe.serial('a case from registration to revoked consent', () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const first = 'Testa';
  const last = `Avhoppare${suffix}`;
  let caseId = '';
  let participantId = '';

  test('case worker registers a participant; a bad personnummer is refused', async ({ page }) => {
    await signIn(page, 'handlaggare');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Registrera deltagare' }).click();
    await settle(page);
    await expect(page).toHaveURL(/\/arenden\/ny$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Registrera deltagare');

    await fillParticipant(page, first, last, '19900101-1235');
    await page.getByRole('button', { name: 'Registrera deltagare' }).click();
    await expect(page.getByRole('alert').first()).toContainText('Kontrollsiffran');
    await expect(page.getByLabel('Personnummer (ÅÅÅÅMMDD-NNNN)')).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/arenden\/ny$/);

    await page.getByLabel('Personnummer (ÅÅÅÅMMDD-NNNN)').fill(fictionalPersonnummer());
    await page.getByRole('button', { name: 'Registrera deltagare' }).click();
    await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
    caseId = page.url().split('/').pop()!;
    await expect(page.getByTestId('case-name')).toHaveText(`${first} ${last}`);
    await expect(page.getByTestId('case-status')).toHaveText('Anmäld');
    participantId = (await page.getByTestId('participant-id').textContent())!.trim();
    expect(participantId.length).toBeGreaterThan(0);
    await expectAccessible(page);
  });

  test('case worker moves the case on, adds Passus to the team and records consent for contacts only', async ({ page }) => {
    acceptDialogs(page);
    await signIn(page, 'handlaggare');
    await page.goto(`/arenden/${caseId}`);
    await settle(page);
    await page.getByRole('button', { name: 'Ändra till utredning' }).click();
    await expect(page.getByTestId('case-status')).toHaveText('Utredning');

    await page.getByRole('link', { name: 'Ärendeteam' }).click();
    await settle(page);
    await expect(page).toHaveURL(new RegExp(`/arenden/${caseId}/team$`));
    await page.getByLabel('Användarnamn').fill('passus');
    await page.getByLabel('Roll i ärendet').selectOption('mentor');
    await page.getByRole('button', { name: 'Lägg till' }).click();
    const team = page.getByTestId('team');
    await expect(team.getByRole('row').filter({ hasText: 'Ahmed Yusuf' })).toContainText('Mentor');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Samtycken och lagstöd' }).click();
    await settle(page);
    await expect(page).toHaveURL(new RegExp(`/arenden/${caseId}/samtycken$`));
    await page.getByLabel('Mottagande organisation').selectOption({ label: 'Passus Göteborg' });
    await page.getByLabel('Kontakter och möten').check();
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();
    const row = page.getByTestId('consents').getByRole('row').filter({ hasText: 'Passus Göteborg' });
    await expect(row).toContainText('Aktivt');
    await expect(row).toContainText('Kontakter och möten');
    await expect(row).not.toContainText('Identitet');
    await expectAccessible(page);
  });

  test('partner sees the case with only the consented categories', async ({ page }) => {
    await signIn(page, 'passus');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Ärenden' }).click();
    await settle(page);
    const row = page.locator(`tr[data-case-id="${caseId}"]`);
    await expect(row).toBeVisible();
    await expect(row.locator('.masked')).toContainText('••••');
    await expect(row).not.toContainText(last);
    await row.getByRole('link', { name: /Öppna/ }).click();

    await expect(page).toHaveURL(new RegExp(`/arenden/${caseId}$`));
    await expect(page.getByTestId('case-name')).toContainText('••••');
    await expect(page.locator('body')).not.toContainText(last);
    await expect(page.locator('body')).not.toContainText('Vändpunkten');
    const visible = page.getByTestId('visible-categories').getByRole('listitem');
    await expect(visible).toHaveText(['Kontakter och möten']);
    await expect(page.getByRole('button', { name: /Ändra till/ })).toHaveCount(0);
    await expectAccessible(page);
  });

  test('case worker revokes the consent', async ({ page }) => {
    acceptDialogs(page);
    await signIn(page, 'handlaggare');
    await page.goto(`/arenden/${caseId}/samtycken`);
    await settle(page);
    const row = page.getByTestId('consents').getByRole('row').filter({ hasText: 'Passus Göteborg' });
    await row.getByRole('button', { name: /Återkalla/ }).click();
    await expect(row).toContainText('Återkallat');
    await expect(row.getByRole('button', { name: /Återkalla/ })).toHaveCount(0);
  });

  test('partner no longer has access', async ({ page }) => {
    await signIn(page, 'passus');
    await page.goto('/arenden');
    await settle(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ärenden');
    await expect(page.locator(`tr[data-case-id="${caseId}"]`)).toHaveCount(0);
    await page.goto(`/arenden/${caseId}`);
    await settle(page);
    await expect(page.getByTestId('access-denied')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Du har inte åtkomst till det här ärendet');
    await expect(page.locator('body')).not.toContainText(last);
    // A partner can never ask for break-glass; the page says what to do instead.
    await expect(page.getByLabel('Motivering (minst 20 tecken)')).toHaveCount(0);
    await expect(page.getByTestId('access-what-now')).toBeVisible();
    await expectAccessible(page);
  });

  test('log reviewer finds who has read the participant', async ({ page }) => {
    await signIn(page, 'granskare');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Loggranskning' }).click();
    await settle(page);
    await expect(page).toHaveURL(/\/granskning$/);
    await page.getByLabel('Deltagar-id').fill(participantId);
    await page.getByTestId('who-read-form').getByRole('button', { name: 'Visa' }).click();
    const table = page.getByTestId('who-read');
    await expect(table).toBeVisible();
    await expect(table.getByRole('row').filter({ hasText: 'Ahmed Yusuf' }).first()).toContainText('Passus Göteborg');
    await expect(table.getByRole('row').filter({ hasText: 'Ahmed Yusuf' }).filter({ hasText: 'Nekad' }).first()).toBeVisible();
    await expect(table.getByRole('row').filter({ hasText: 'Sara Lindqvist' }).filter({ hasText: 'Registrerade deltagare' })).toHaveCount(1);
    await expect(table).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await expectAccessible(page);
  });
});

test('a search for someone another organisation has answers "no hit", for a partner too', async ({ page }) => {
  // Malmö's case worker registers someone; Göteborg's case worker and the partner search for them.
  const pnr = fictionalPersonnummer();
  await signIn(page, 'handlaggare.malmo');
  await page.goto('/arenden/ny');
  await settle(page);
  await fillParticipant(page, 'Hemlig', `Person${Math.random().toString(36).slice(2, 7)}`, pnr);
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  await signOut(page);

  for (const user of ['handlaggare', 'passus']) {
    await signIn(page, user);
    await page.goto('/arenden');
    await settle(page);
    await page.getByLabel('Personnummer eller telefonnummer').fill(pnr);
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Ingen deltagare hittades.' })).toBeVisible();
    await expect(page.getByTestId('search-results')).toHaveCount(0);
    await signOut(page);
  }
});

test('a colleague of the owning unit finds the masked case and opens it by break-glass; the responsible is told', async ({ page }) => {
  // Four sign-ins, each with a second-factor code of its own.
  test.slow();
  const pnr = fictionalPersonnummer();
  await signIn(page, 'handlaggare');
  await page.goto('/arenden/ny');
  await settle(page);
  await fillParticipant(page, 'Sökbar', `Person${Math.random().toString(36).slice(2, 7)}`, pnr);
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = page.url().split('/').pop()!;
  await signOut(page);

  await signIn(page, 'handlaggare2');
  await page.goto('/arenden');
  await settle(page);
  await page.getByLabel('Personnummer eller telefonnummer').fill(pnr);
  await page.getByRole('button', { name: 'Sök', exact: true }).click();
  const hit = page.getByTestId('search-results').locator(`tr[data-case-id="${caseId}"]`);
  await expect(hit.locator('.masked')).toBeVisible();
  await hit.getByRole('link', { name: 'Begär nödåtkomst' }).click();
  await expect(page.getByTestId('access-denied')).toBeVisible();

  await page.getByLabel('Motivering (minst 20 tecken)').fill('Akut hotbild mot deltagaren, behöver kontaktuppgifter nu.');
  await page.getByRole('button', { name: 'Begär nödåtkomst' }).click();
  await expect(page.getByTestId('break-glass-banner')).toContainText(/Du har nödåtkomst till och med \d{2}:\d{2} – åtkomsten granskas/);
  await expect(page.getByTestId('case-name')).toContainText('Sökbar');
  await signOut(page);

  // The responsible case worker finds the notice in the inbox.
  await signIn(page, 'handlaggare');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Inkorg' }).click();
  await settle(page);
  await expect(page.getByTestId('notices')).toContainText('Henrik Sjöblom');
  await expectAccessible(page);
  await signOut(page);

  // The access waits in the log reviewer's queue.
  await signIn(page, 'granskare');
  await page.goto('/granskning/nodatkomst');
  await settle(page);
  const item = page.getByTestId('break-glass-queue').getByRole('listitem').filter({ hasText: 'Akut hotbild mot deltagaren' });
  await expect(item).toBeVisible();
  await item.getByLabel('Befogad').check();
  await item.getByLabel('Kommentar').fill('Bekräftat med enhetschefen.');
  await item.getByRole('button', { name: 'Spara granskning' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Granskningen är sparad' })).toBeVisible();
  await expect(page.getByTestId('break-glass-queue').getByRole('listitem').filter({ hasText: 'Akut hotbild mot deltagaren' })).toHaveCount(0);
});

test('editing saves, and a stale edit is refused as a conflict', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'handlaggare');
  await page.goto('/arenden/ny');
  await settle(page);
  const last = `Redigeras${Math.random().toString(36).slice(2, 7)}`;
  await fillParticipant(page, 'Ändra', last, fictionalPersonnummer());
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = page.url().split('/').pop()!;

  // Two tabs open the same form; the first save wins, the second is told to reload.
  const other = await context.newPage();
  await other.goto(`/arenden/${caseId}/redigera`);
  await settle(other);
  await page.goto(`/arenden/${caseId}/redigera`);
  await settle(page);
  await expect(page.getByLabel('Efternamn')).toHaveValue(last);
  await page.getByLabel('Telefon').fill('070-174 06 98');
  await page.getByRole('button', { name: 'Spara ändringar' }).click();
  await expect(page).toHaveURL(new RegExp(`/arenden/${caseId}$`));
  await expect(page.locator('main')).toContainText('+46701740698');

  await other.getByLabel('Adress').fill('Nyckelgränd 3');
  await other.getByRole('button', { name: 'Spara ändringar' }).click();
  await expect(other.getByTestId('conflict')).toContainText('ändrats av någon annan');
  await other.getByRole('button', { name: 'Hämta senaste versionen' }).click();
  await expect(other.getByTestId('conflict')).toHaveCount(0);
  await expect(other.getByLabel('Telefon')).toHaveValue('+46701740698');
  await expectAccessible(other);
  await context.close();
});

test('the case, review and shred pages take over in the browser without errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /hydrat|panicked/i.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
  });
  await signIn(page, 'handlaggare');
  await page.goto('/arenden');
  await settle(page);
  const href = await page.getByTestId('case-list').locator('tbody tr').getByRole('link', { name: /Öppna/ }).first().getAttribute('href');
  for (const path of ['/arenden?status=active&mine=on', '/arenden/ny', href!, `${href}/redigera`, `${href}/team`, `${href}/samtycken`]) {
    await page.goto(path);
    await settle(page);
  }
  await signOut(page);
  await signIn(page, 'passus');
  await page.goto(href!);
  await settle(page);
  await expect(page.getByTestId('access-denied').or(page.getByTestId('case-name'))).toBeVisible();
  await signOut(page);
  await signIn(page, 'granskare');
  for (const path of ['/granskning', '/granskning/nodatkomst?alla=on']) {
    await page.goto(path);
    await settle(page);
  }
  await signOut(page);
  await signIn(page, 'admin');
  await page.goto('/admin/gallring');
  await settle(page);
  expect(errors).toEqual([]);
});

test('the list filter narrows by status', async ({ page }) => {
  await signIn(page, 'handlaggare');
  await page.goto('/arenden');
  await settle(page);
  await page.getByLabel('Status').selectOption('active');
  await page.getByRole('button', { name: 'Visa' }).click();
  await expect(page).toHaveURL(/status=active/);
  const statuses = page.getByTestId('case-list').locator('tbody tr td:nth-child(5)');
  await expect(statuses.first()).toHaveText('Aktiv');
  for (const s of await statuses.allTextContents()) expect(s).toBe('Aktiv');
  await expectAccessible(page);
});

test('shredding needs a second administrator, and the case is then marked as shredded', async ({ page }) => {
  acceptDialogs(page);
  const suffix = Math.random().toString(36).slice(2, 7);
  await signIn(page, 'handlaggare');
  await page.goto('/arenden/ny');
  await settle(page);
  await fillParticipant(page, 'Gallras', `Person${suffix}`, fictionalPersonnummer());
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = page.url().split('/').pop()!;
  const participantId = (await page.getByTestId('participant-id').textContent())!.trim();
  await signOut(page);

  await signIn(page, 'admin');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Gallring' }).click();
  await settle(page);
  await expect(page).toHaveURL(/\/admin\/gallring$/);
  await page.getByLabel('Deltagar-id').fill(participantId);
  await page.getByLabel('Skäl (beslut och diarienummer)').fill('Beslut om gallring, dnr 2026-0123');
  await page.getByRole('button', { name: 'Begär gallring' }).click();
  const row = page.getByTestId('shred-requests').getByRole('row').filter({ hasText: participantId });
  await expect(row).toContainText('Väntar på bekräftelse av en annan administratör');
  await row.getByRole('button', { name: 'Bekräfta' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'En annan administratör måste bekräfta' })).toBeVisible();
  await expectAccessible(page);

  // A second administrator confirms.
  const second = `admin.${suffix}`;
  await page.goto('/admin/anvandare');
  await settle(page);
  // The account form's own fields (the table below has edit forms with the same labels).
  await page.locator('#u-username').fill(second);
  await page.locator('#u-name').fill('Andra Administratören');
  await page.locator('#u-role').selectOption('admin');
  await page.getByLabel('Startlösenord (minst 12 tecken)').fill('ett-långt-startlösenord');
  await page.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(page.getByRole('cell', { name: second })).toBeVisible();
  await signOut(page);
  await signIn(page, second, 'ett-långt-startlösenord');
  await page.goto('/admin/gallring');
  await settle(page);
  await page.getByTestId('shred-requests').getByRole('row').filter({ hasText: participantId }).getByRole('button', { name: 'Bekräfta' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Gallringen är genomförd' })).toBeVisible();
  await expect(page.getByTestId('shred-requests').getByRole('row').filter({ hasText: participantId })).toContainText('Genomförd');
  await signOut(page);

  await signIn(page, 'handlaggare');
  await page.goto('/arenden');
  await settle(page);
  const listed = page.getByTestId('case-list').locator(`tr[data-case-id="${caseId}"]`);
  await expect(listed.locator('.tag.shredded')).toHaveText('Gallrad');
  await expect(listed.locator('.masked')).toBeVisible();
  await expect(listed.getByRole('link')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the case list, its filter and a case overview read without JavaScript', async ({ page }) => {
    await signIn(page, 'handlaggare');
    await page.goto('/arenden');
    await page.getByLabel('Bara mina ärenden').check();
    await page.getByRole('button', { name: 'Visa' }).click();
    await expect(page).toHaveURL(/mine=on/);
    const rows = page.getByTestId('case-list').locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    for (const tags of await rows.locator('td.tags').allTextContents()) expect(tags).toContain('Mitt ärende');
    await rows.getByRole('link', { name: /Öppna/ }).first().click();
    await expect(page.getByTestId('case-name')).toBeVisible();
    await expect(page.getByTestId('case-name')).not.toContainText('••••');
    await expect(page.getByTestId('visible-categories').getByRole('listitem').first()).toBeVisible();
  });

  test('a bad personnummer is reported after the plain form post', async ({ page }) => {
    await signIn(page, 'handlaggare');
    await page.goto('/arenden/ny');
    await fillParticipant(page, 'Utan', 'Skript', '19900101-1235');
    await page.getByRole('button', { name: 'Registrera deltagare' }).click();
    await expect(page.getByRole('alert').first()).toContainText('Kontrollsiffran');
  });
});
