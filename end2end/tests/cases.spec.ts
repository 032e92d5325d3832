import { Page } from '@playwright/test';
import { test, expect, signIn, signOut, expectAccessible, luhnCheckDigit, fictionalPersonnummer as born } from './helpers';

/** A fictional personnummer of someone born in 1985 (before any demo person). */
const fictionalPersonnummer = () => born(1985);

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

  test('case worker registers a participant; a bad personnummer is refused', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    await page.goto('/');
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

  test('case worker moves the case on, adds Passus to the team and records consent for contacts only', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    acceptDialogs(page);
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

  test('partner sees the case with only the consented categories', async ({ asUser }) => {
    const page = await asUser('passus');
    await page.goto('/');
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

  test('case worker revokes the consent', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    acceptDialogs(page);
    await page.goto(`/arenden/${caseId}/samtycken`);
    await settle(page);
    const row = page.getByTestId('consents').getByRole('row').filter({ hasText: 'Passus Göteborg' });
    await row.getByRole('button', { name: /Återkalla/ }).click();
    await expect(row).toContainText('Återkallat');
    await expect(row.getByRole('button', { name: /Återkalla/ })).toHaveCount(0);
  });

  test('partner no longer has access', async ({ asUser }) => {
    const page = await asUser('passus');
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

  test('log reviewer finds who has read the participant', async ({ asUser }) => {
    const page = await asUser('granskare');
    await page.goto('/');
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

test('a search for someone another organisation has answers "no hit", for a partner too', async ({ asUser }) => {
  // Malmö's case worker registers someone; Göteborg's case worker and the partner search for them.
  const pnr = fictionalPersonnummer();
  const page = await asUser('handlaggare.malmo');
  await page.goto('/arenden/ny');
  await settle(page);
  await fillParticipant(page, 'Hemlig', `Person${Math.random().toString(36).slice(2, 7)}`, pnr);
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);

  for (const user of ['handlaggare', 'passus'] as const) {
    const searcher = await asUser(user);
    await searcher.goto('/arenden');
    await settle(searcher);
    await searcher.getByLabel('Personnummer eller telefonnummer').fill(pnr);
    await searcher.getByRole('button', { name: 'Sök', exact: true }).click();
    await expect(searcher.getByRole('status').filter({ hasText: 'Ingen deltagare hittades.' })).toBeVisible();
    await expect(searcher.getByTestId('search-results')).toHaveCount(0);
  }
});

test('a colleague of the owning unit finds the masked case and opens it by break-glass; the responsible is told', async ({ asUser }) => {
  const pnr = fictionalPersonnummer();
  const owner = await asUser('handlaggare');
  await owner.goto('/arenden/ny');
  await settle(owner);
  await fillParticipant(owner, 'Sökbar', `Person${Math.random().toString(36).slice(2, 7)}`, pnr);
  await owner.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(owner).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = owner.url().split('/').pop()!;

  const page = await asUser('handlaggare2');
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

  // The responsible case worker finds the notice in the inbox.
  await owner.goto('/');
  await owner.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Inkorg' }).click();
  await settle(owner);
  await expect(owner.getByTestId('notices')).toContainText('Henrik Sjöblom');
  await expectAccessible(owner);

  // The access waits in the log reviewer's queue.
  const reviewer = await asUser('granskare');
  await reviewer.goto('/granskning/nodatkomst');
  await settle(reviewer);
  const item = reviewer.getByTestId('break-glass-queue').getByRole('listitem').filter({ hasText: 'Akut hotbild mot deltagaren' });
  await expect(item).toBeVisible();
  await item.getByLabel('Befogad').check();
  await item.getByLabel('Kommentar').fill('Bekräftat med enhetschefen.');
  await item.getByRole('button', { name: 'Spara granskning' }).click();
  await expect(reviewer.getByRole('status').filter({ hasText: 'Granskningen är sparad' })).toBeVisible();
  await expect(reviewer.getByTestId('break-glass-queue').getByRole('listitem').filter({ hasText: 'Akut hotbild mot deltagaren' })).toHaveCount(0);
});

test('editing saves, and a stale edit is refused as a conflict', async ({ asUser }) => {
  const page = await asUser('handlaggare');
  await page.goto('/arenden/ny');
  await settle(page);
  const last = `Redigeras${Math.random().toString(36).slice(2, 7)}`;
  await fillParticipant(page, 'Ändra', last, fictionalPersonnummer());
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = page.url().split('/').pop()!;

  // Two tabs open the same form; the first save wins, the second is told to reload.
  const other = await page.context().newPage();
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
});

test('the case, review and shred pages take over in the browser without errors', async ({ asUser }) => {
  const errors: string[] = [];
  const watched = async (user: Parameters<typeof asUser>[0]) => {
    const page = await asUser(user);
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /hydrat|panicked/i.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  };
  const page = await watched('handlaggare');
  await page.goto('/arenden');
  await settle(page);
  const href = await page.getByTestId('case-list').locator('tbody tr').getByRole('link', { name: /Öppna/ }).first().getAttribute('href');
  for (const path of ['/arenden?status=active&mine=on', '/arenden/ny', href!, `${href}/redigera`, `${href}/team`, `${href}/samtycken`]) {
    await page.goto(path);
    await settle(page);
  }
  const partner = await watched('passus');
  await partner.goto(href!);
  await settle(partner);
  await expect(partner.getByTestId('access-denied').or(partner.getByTestId('case-name'))).toBeVisible();
  const reviewer = await watched('granskare');
  for (const path of ['/granskning', '/granskning/nodatkomst?alla=on']) {
    await reviewer.goto(path);
    await settle(reviewer);
  }
  const admin = await watched('admin');
  await admin.goto('/admin/gallring');
  await settle(admin);
  expect(errors).toEqual([]);
});

test('the list filter narrows by status', async ({ asUser }) => {
  const page = await asUser('handlaggare');
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

test('shredding needs a second administrator, and the case is then marked as shredded', async ({ page, asUser }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const worker = await asUser('handlaggare');
  await worker.goto('/arenden/ny');
  await settle(worker);
  await fillParticipant(worker, 'Gallras', `Person${suffix}`, fictionalPersonnummer());
  await worker.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(worker).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = worker.url().split('/').pop()!;
  const participantId = (await worker.getByTestId('participant-id').textContent())!.trim();

  const admin = await asUser('admin');
  acceptDialogs(admin);
  await admin.goto('/');
  await admin.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Gallring' }).click();
  await settle(admin);
  await expect(admin).toHaveURL(/\/admin\/gallring$/);
  await admin.getByLabel('Deltagar-id').fill(participantId);
  await admin.getByLabel('Skäl (beslut och diarienummer)').fill('Beslut om gallring, dnr 2026-0123');
  await admin.getByRole('button', { name: 'Begär gallring' }).click();
  const row = admin.getByTestId('shred-requests').getByRole('row').filter({ hasText: participantId });
  await expect(row).toContainText('Väntar på bekräftelse av en annan administratör');
  await row.getByRole('button', { name: 'Bekräfta' }).click();
  await expect(admin.getByRole('alert').filter({ hasText: 'En annan administratör måste bekräfta' })).toBeVisible();
  await expectAccessible(admin);

  // A second administrator confirms: a new account, so it signs in (and enrols) through the form.
  const second = `admin.${suffix}`;
  await admin.goto('/admin/anvandare');
  await settle(admin);
  // The account form's own fields (the table below has edit forms with the same labels).
  await admin.locator('#u-username').fill(second);
  await admin.locator('#u-name').fill('Andra Administratören');
  await admin.locator('#u-role').selectOption('admin');
  await admin.getByLabel('Startlösenord (minst 12 tecken)').fill('ett-långt-startlösenord');
  await admin.getByRole('button', { name: 'Skapa konto' }).click();
  await expect(admin.getByRole('cell', { name: second })).toBeVisible();
  acceptDialogs(page);
  await signIn(page, second, 'ett-långt-startlösenord');
  await page.goto('/admin/gallring');
  await settle(page);
  await page.getByTestId('shred-requests').getByRole('row').filter({ hasText: participantId }).getByRole('button', { name: 'Bekräfta' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Gallringen är genomförd' })).toBeVisible();
  await expect(page.getByTestId('shred-requests').getByRole('row').filter({ hasText: participantId })).toContainText('Genomförd');
  await signOut(page);

  await worker.goto('/arenden');
  await settle(worker);
  const listed = worker.getByTestId('case-list').locator(`tr[data-case-id="${caseId}"]`);
  await expect(listed.locator('.tag.shredded')).toHaveText('Gallrad');
  await expect(listed.locator('.masked')).toBeVisible();
  await expect(listed.getByRole('link')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the case list, its filter and a case overview read without JavaScript', async ({ asUser }) => {
    const page = await asUser('handlaggare');
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

  test('a bad personnummer is reported after the plain form post', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    await page.goto('/arenden/ny');
    await fillParticipant(page, 'Utan', 'Skript', '19900101-1235');
    await page.getByRole('button', { name: 'Registrera deltagare' }).click();
    await expect(page.getByRole('alert').first()).toContainText('Kontrollsiffran');
  });
});
