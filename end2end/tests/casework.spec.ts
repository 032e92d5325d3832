import { Page } from '@playwright/test';
import { test, expect, expectAccessible, freshCode, PASSWORD, fictionalPersonnummer, swedishDate } from './helpers';

/** `ÅÅÅÅ-MM-DD`, `days` from today in Sweden. */
const inDays = swedishDate;

/** Opens a page and waits until it is hydrated (no requests left in flight). */
async function open(page: Page, url: string) {
  await page.goto(url);
  await page.waitForLoadState('networkidle');
}

/**
 * Posts to a server function as the signed-in user. The team and consent pages have their own
 * tests; here they are only the set-up.
 */
async function call(page: Page, endpoint: string, form: Record<string, string>) {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`/api/${endpoint}`, { form, headers: { Origin: origin } });
  expect(res.status(), `${endpoint}: ${await res.text()}`).toBe(200);
}

async function addMember(page: Page, caseId: string, username: string, part: string) {
  await call(page, 'cases/team_add', { case_id: caseId, username, part });
}

async function addConsent(page: Page, caseId: string, org: string, categories: string[], provision = '') {
  const form: Record<string, string> = {
    case_id: caseId,
    recipient_org: org,
    basis: provision ? 'lag' : 'samtycke',
    provision,
    valid_from: '',
    valid_until: '',
  };
  categories.forEach((c, i) => (form[`categories[${i}]`] = c));
  await call(page, 'consents/add', form);
}

/**
 * Collects hydration errors and panics in the browser (into `errors`, to watch several pages);
 * a test ends by expecting none.
 */
function watchConsole(page: Page, errors: string[] = []): string[] {
  page.on('console', (m) => {
    if (m.type() === 'error' && /hydrat|panicked/i.test(m.text())) errors.push(m.text());
  });
  return errors;
}

test.describe.serial('casework shared by social services, Passus and the police', () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const action = `Mentorsträffar varje vecka ${suffix}`;
  const phoneContact = `Pratade om jobbsökandet i telefon ${suffix}`;
  const offlineContact = `Möte på fritidsgården utan skript ${suffix}`;
  let caseId = '';

  test('case worker writes a plan with two goals and an action owned by Passus', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    const errors = watchConsole(page);
    // Hydrated before typing, as the other forms here: in a fresh browser the page's code takes a
    // while to load, and what was typed before it started was lost.
    await open(page, '/arenden/ny');
    await page.getByLabel('Förnamn').fill('Plan');
    await page.getByLabel('Efternamn').fill(`Deltagare${suffix}`);
    await page.getByLabel('Personnummer (ÅÅÅÅMMDD-NNNN)').fill(fictionalPersonnummer(1986));
    await page.getByLabel('Kön').selectOption('male');
    await page.getByLabel('Bakgrund och situation').fill('Fiktiv testperson i planflödet.');
    await page.getByRole('button', { name: 'Registrera deltagare' }).click();
    await expect(page).toHaveURL(/\/arenden\/(?!ny)[A-Za-z0-9_-]+$/);
    caseId = page.url().split('/').pop()!;
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: 'Ändra till utredning' }).click();
    await expect(page.getByTestId('case-status')).toHaveText('Utredning');

    await addMember(page, caseId, 'passus', 'mentor');
    await addMember(page, caseId, 'polis', 'police_contact');
    await addConsent(page, caseId, 'passus_gbg', ['contacts', 'plan']);
    await addConsent(page, caseId, 'polis_vast', ['safety'], 'OSL 10 kap. 18 b §');

    await open(page, `/arenden/${caseId}/plan`);
    await expect(page.getByRole('navigation', { name: 'Ärendet' }).getByRole('link', { name: 'Handlingsplan' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByText('Planen har inga mål ännu.')).toBeVisible();

    const goalForm = page.getByTestId('add-goal');
    await goalForm.getByLabel('Livsområde').selectOption('safety');
    await goalForm.getByLabel('Mål', { exact: true }).fill('Känna sig trygg hemma');
    await goalForm.getByLabel('Måldatum').fill(inDays(90));
    await goalForm.getByRole('button', { name: 'Lägg till mål' }).click();
    await expect(page.getByTestId('goal').filter({ hasText: 'Känna sig trygg hemma' })).toBeVisible();

    await goalForm.getByLabel('Livsområde').selectOption('occupation');
    await goalForm.getByLabel('Mål', { exact: true }).fill('Komma ut i praktik');
    await goalForm.getByRole('button', { name: 'Lägg till mål' }).click();
    await expect(page.getByTestId('goal')).toHaveCount(2);
    await expect(page.getByTestId('plan-domain').filter({ hasText: 'Sysselsättning' })).toContainText('Komma ut i praktik');

    const actionForm = page.getByTestId('add-action');
    await actionForm.getByLabel('Mål', { exact: true }).selectOption({ label: 'Sysselsättning – Komma ut i praktik' });
    await actionForm.getByLabel('Åtgärd').fill(action);
    await actionForm.getByLabel('Ansvarig organisation').selectOption({ label: 'Passus Göteborg' });
    await actionForm.getByLabel('Ansvarig person eller funktion').fill('Mentor');
    await actionForm.getByLabel('Klart senast').fill(inDays(60));
    await actionForm.getByRole('button', { name: 'Lägg till åtgärd' }).click();
    const row = page.getByTestId('action').filter({ hasText: action });
    await expect(row).toContainText('Passus Göteborg');
    await expect(row.getByTestId('action-status')).toHaveText('Planerad');
    await expect(page.getByRole('link', { name: 'Skriv ut' })).toHaveAttribute('href', `/arenden/${caseId}/plan/utskrift`);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Skriv ut' }).click();
    await expect(page.getByTestId('plan-print')).toContainText(action);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Min handlingsplan');
    expect(errors).toEqual([]);
  });

  test.describe('on a phone', () => {
    test.use({ viewport: { width: 390, height: 844 } });

    test('Passus finds the open action on the start page and a quick way to log a contact', async ({ asUser }) => {
      const page = await asUser('passus');
      const errors = watchConsole(page);
      await open(page, '/');
      const mine = page.getByTestId('my-participants');
      const entry = mine.getByTestId('work-case').filter({ hasText: action });
      await expect(entry).toHaveCount(1);
      await expect(entry).toContainText('planerad');
      await expectAccessible(page);
      await entry.getByTestId('quick-contact').click();
      await expect(page).toHaveURL(new RegExp(`/arenden/${caseId}/kontakt$`));
      await expect(page.getByTestId('contact-form')).toBeVisible();
      expect(errors).toEqual([]);
    });

    test('Passus logs a contact and marks the action done', async ({ asUser }) => {
      const page = await asUser('passus');
      const errors = watchConsole(page);
      await open(page, `/arenden/${caseId}/kontakt`);
      const form = page.getByTestId('contact-form');
      await expect(form).toHaveAttribute('autocomplete', 'off');
      await expect(form).toHaveAttribute('action', '/api/contacts/add');
      await form.getByLabel('Typ av kontakt').selectOption('phone');
      await form.getByLabel('Längd i minuter').fill('25');
      await form.getByLabel('Sammanfattning').fill(phoneContact);
      await form.getByRole('button', { name: 'Spara kontakt' }).click();
      await expect(page.getByRole('status')).toHaveText('Kontakten är sparad.');
      await expect(page.getByTestId('recent-contacts')).toContainText(phoneContact);
      await expectAccessible(page);

      await open(page, `/arenden/${caseId}/plan`);
      const row = page.getByTestId('action').filter({ hasText: action });
      await row.getByText('Uppdatera').click();
      await row.getByLabel('Status').selectOption('done');
      await row.getByLabel('Kommentar').fill('Första träffen är gjord.');
      await row.getByRole('button', { name: 'Spara' }).click();
      await expect(page.getByTestId('action').filter({ hasText: action }).getByTestId('action-status')).toHaveText('Klar');
      await expect(page.getByTestId('action').filter({ hasText: action })).toContainText('Första träffen är gjord.');
      // Passus may not change the plan itself.
      await expect(page.getByTestId('add-goal')).toHaveCount(0);
      expect(errors).toEqual([]);
    });
  });

  test('case worker sees the contact and the finished action on the timeline', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    const errors = watchConsole(page);
    await open(page, `/arenden/${caseId}/tidslinje`);
    const timeline = page.getByTestId('timeline');
    const contact = timeline.getByTestId('event').filter({ hasText: phoneContact });
    await expect(contact).toContainText('Kontakt');
    await expect(contact).toContainText('Passus Göteborg');
    await expect(contact).toContainText('Ahmed Yusuf');
    await expect(contact).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await expect(timeline.getByTestId('event').filter({ hasText: `klar: ${action}` })).toContainText('Åtgärd i planen');
    // Newest first: the action was finished after the contact was logged.
    const texts = await timeline.getByTestId('event').allTextContents();
    expect(texts.findIndex((t) => t.includes(`klar: ${action}`))).toBeLessThan(texts.findIndex((t) => t.includes(phoneContact)));
    await expectAccessible(page);

    await page.getByLabel('Kategori').selectOption({ label: 'Kontakter och möten' });
    await page.getByRole('button', { name: 'Visa' }).click();
    await expect(page).toHaveURL(/category=contacts/);
    await expect(timeline.getByTestId('event').filter({ hasText: phoneContact })).toHaveCount(1);
    await expect(timeline.getByTestId('event').filter({ hasText: action })).toHaveCount(0);
    expect(errors).toEqual([]);
  });

  test('the police record a high threat and the case worker sees the warning', async ({ asUser }) => {
    const police = await asUser('polis');
    const errors = watchConsole(police);
    await open(police, `/arenden/${caseId}/sakerhet`);
    const form = police.getByTestId('add-assessment');
    await form.getByLabel('Hotnivå').selectOption('high');
    await form.getByLabel('Ny bedömning senast').fill(inDays(30));
    await form.getByLabel('Underlag och bedömning').fill('Uppgifter om hot från det tidigare nätverket.');
    await form.getByRole('button', { name: 'Spara hotbedömning' }).click();
    await expect(police.getByTestId('assessments')).toContainText('Hög');
    await expect(police.getByTestId('threat-warning')).toContainText('Hög hotnivå');
    await expectAccessible(police);

    const page = await asUser('handlaggare');
    watchConsole(page, errors);
    await open(page, `/arenden/${caseId}/sakerhet`);
    const warning = page.getByTestId('threat-warning');
    await expect(warning).toHaveAttribute('role', 'alert');
    await expect(warning).toContainText('Hög hotnivå');
    await expect(page.getByTestId('assessments')).toContainText('Polisen Region Väst');

    // The overview warns too, and shows the threat level with the rest of the current state.
    await open(page, `/arenden/${caseId}`);
    await expect(page.getByTestId('overview-threat-warning')).toContainText('Hög hotnivå');
    await expect(page.getByTestId('current-state')).toContainText('Hög (bedömd');
    expect(errors).toEqual([]);
  });

  test('the police see the assessment on their start page', async ({ asUser }) => {
    const page = await asUser('polis');
    await open(page, '/');
    const row = page.getByTestId('police-view').getByTestId('work-case').filter({
      has: page.locator(`a[href="/arenden/${caseId}/sakerhet"]`),
    });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Hög');
    await expect(row).toContainText(inDays(30));
  });

  test('a plan review due in three days is on the case worker\'s week', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    await open(page, '/');
    await call(page, 'plan/review_add', {
      case_id: caseId,
      date: inDays(0),
      present: 'Deltagaren, Passus',
      summary: 'Första uppföljningen.',
      next_review: inDays(3),
    });
    await page.reload();
    const week = page.getByTestId('my-week');
    const entry = week.getByTestId('work-case').filter({ has: page.locator(`a[href="/arenden/${caseId}"]`) });
    await expect(entry).toContainText(`Planuppföljning – senast ${inDays(3)}`);
    // The navigation counts what is due, for the reader's own eyes and for a screen reader.
    const badge = page.getByRole('navigation', { name: 'Huvudmeny' }).getByTestId('work-count');
    await expect(badge).toBeVisible();
    await expect(badge).toContainText('att göra den här veckan');
    await expectAccessible(page);
  });

  test('a note written after the session ended is saved once the user signs in again', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    const errors = watchConsole(page);
    const note = `Anteckning efter utloggning ${suffix}`;
    await open(page, `/arenden/${caseId}/anteckningar`);
    await page.getByTestId('add-note').getByLabel('Anteckning').fill(note);
    // The session ends while the user is writing. (Only this browser loses it: the run's stored
    // session, which other tests start from, stays valid on the server.)
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Spara anteckning' }).click();
    const dialog = page.getByTestId('reauth');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Användarnamn')).toHaveValue('handlaggare');
    await dialog.getByLabel('Lösenord').fill(PASSWORD);
    await dialog.getByLabel('Engångskod').fill(await freshCode('handlaggare'));
    await dialog.getByRole('button', { name: 'Logga in och spara' }).click();
    await expect(page.getByText('Anteckningen är sparad.')).toBeVisible();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('note').filter({ hasText: note })).toHaveCount(1);
    expect(errors).toEqual([]);
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('Passus logs a contact with a plain form post', async ({ asUser }) => {
      const page = await asUser('passus');
      await page.goto(`/arenden/${caseId}/kontakt`);
      const form = page.getByTestId('contact-form');
      await form.getByLabel('Typ av kontakt').selectOption('meeting');
      await form.getByLabel('Längd i minuter').fill('45');
      await form.getByLabel('Sammanfattning').fill(offlineContact);
      await form.getByRole('button', { name: 'Spara kontakt' }).click();
      // The server answers a plain form post by sending the browser back to the page it came from.
      await expect(page).toHaveURL(new RegExp(`/arenden/${caseId}/kontakt\\??$`));
      await expect(page.getByTestId('recent-contacts')).toContainText(offlineContact);
      await expect(page.getByTestId('recent-contacts')).toContainText('Möte (45 min)');
    });
  });
});
