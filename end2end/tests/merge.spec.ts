import { Page } from '@playwright/test';
import { test, expect, expectAccessible, fictionalPersonnummer } from './helpers';

/** Opens a page and waits until it is hydrated (no requests left in flight). */
async function open(page: Page, url: string) {
  await page.goto(url);
  await page.waitForLoadState('networkidle');
}

/** Opens the update form of the action titled `title` on the plan page. */
async function startUpdate(page: Page, title: string) {
  const row = page.getByTestId('action').filter({ hasText: title });
  await row.getByText('Uppdatera').click();
  return row;
}

/** A new participant of the page's user with one goal and the action `title` on the plan,
 *  which is left open; returns the case id. */
async function caseWithAction(page: Page, suffix: string, title: string): Promise<string> {
  await open(page, '/arenden/ny');
  await page.getByLabel('Förnamn').fill('Sammanfogning');
  await page.getByLabel('Efternamn').fill(`Deltagare${suffix}`);
  await page.getByLabel('Personnummer (ÅÅÅÅMMDD-NNNN)').fill(fictionalPersonnummer(1987));
  await page.getByLabel('Kön').selectOption('female');
  await page.getByLabel('Bakgrund och situation').fill('Fiktiv testperson för en sammanfogning.');
  await page.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(page).toHaveURL(/\/arenden\/(?!ny)[A-Za-z0-9_-]+$/);
  const caseId = page.url().split('/').pop()!;
  await open(page, `/arenden/${caseId}/plan`);
  const goalForm = page.getByTestId('add-goal');
  await goalForm.getByLabel('Livsområde').selectOption('occupation');
  await goalForm.getByLabel('Mål', { exact: true }).fill('Komma ut i praktik');
  await goalForm.getByRole('button', { name: 'Lägg till mål' }).click();
  await expect(page.getByTestId('goal')).toHaveCount(1);
  const actionForm = page.getByTestId('add-action');
  await actionForm.getByLabel('Åtgärd').fill(title);
  await actionForm.getByRole('button', { name: 'Lägg till åtgärd' }).click();
  await expect(page.getByTestId('action').filter({ hasText: title })).toBeVisible();
  return caseId;
}

test('two case workers update the same action; the second merges field by field and nothing is lost', async ({ asUser }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const title = `Söka praktikplats ${suffix}`;
  const first = `Bokade ett möte med arbetsförmedlingen ${suffix}`;
  const second = `Ringde mentorn om praktiken ${suffix}`;

  const sara = await asUser('handlaggare');
  const caseId = await caseWithAction(sara, suffix, title);
  const res = await sara.request.post('/api/cases/team_add', {
    form: { case_id: caseId, username: 'handlaggare2', part: 'case_worker' },
    headers: { Origin: new URL(sara.url()).origin },
  });
  expect(res.status(), await res.text()).toBe(200);

  // Both open the action's form on the same version.
  const henrik = await asUser('handlaggare2');
  await open(henrik, `/arenden/${caseId}/plan`);
  const henriksRow = await startUpdate(henrik, title);
  const sarasRow = await startUpdate(sara, title);

  // Sara saves first: the action is under way, with her comment.
  await sarasRow.getByLabel('Status').selectOption('in_progress');
  await sarasRow.getByLabel('Kommentar').fill(first);
  await sarasRow.getByRole('button', { name: 'Spara' }).click();
  await expect(sara.getByTestId('action').filter({ hasText: title }).getByTestId('action-status')).toHaveText('Pågår');

  // Henrik saves on the old version: instead of a refusal he gets both versions side by side.
  await henriksRow.getByLabel('Kommentar').fill(second);
  await henriksRow.getByRole('button', { name: 'Spara' }).click();
  const merge = henrik.getByTestId('merge');
  await expect(merge).toBeVisible();
  await expect(merge.getByTestId('merge-saved-comment')).toHaveText(first);
  await expect(merge.getByTestId('merge-your-comment')).toHaveText(second);
  await expectAccessible(henrik);
  await merge.screenshot({ path: test.info().outputPath('merge-1280.png') });

  // Field by field: Sara's status, and both comments.
  await merge.getByLabel('Status, sparad version: Pågår').check();
  await merge.getByLabel('Kommentar: behåll båda, den sparade först').check();
  await merge.getByRole('button', { name: 'Spara det valda' }).click();
  await expect(merge).toHaveCount(0);
  const merged = henrik.getByTestId('action').filter({ hasText: title });
  await expect(merged.getByTestId('action-status')).toHaveText('Pågår');
  await expect(merged).toContainText(first);
  await expect(merged).toContainText(second);

  // What Sara sees after a reload is the merged version: nothing of either is lost.
  await open(sara, `/arenden/${caseId}/plan`);
  const hers = sara.getByTestId('action').filter({ hasText: title });
  await expect(hers.getByTestId('action-status')).toHaveText('Pågår');
  await expect(hers).toContainText(first);
  await expect(hers).toContainText(second);
});

test('leaving a merge keeps the saved version and shows it', async ({ asUser }) => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const title = `Ansöka om körkortstillstånd ${suffix}`;
  const sara = await asUser('handlaggare');
  const caseId = await caseWithAction(sara, suffix, title);

  // The same user in a second tab saves first.
  const tab = await sara.context().newPage();
  await open(tab, `/arenden/${caseId}/plan`);
  const tabRow = await startUpdate(tab, title);
  const row = await startUpdate(sara, title);
  await tabRow.getByLabel('Status').selectOption('done');
  await tabRow.getByRole('button', { name: 'Spara' }).click();
  await expect(tab.getByTestId('action').filter({ hasText: title }).getByTestId('action-status')).toHaveText('Klar');

  await row.getByLabel('Kommentar').fill('Det här behövs inte längre');
  await row.getByRole('button', { name: 'Spara' }).click();
  const merge = sara.getByTestId('merge');
  await expect(merge).toBeVisible();
  await merge.getByRole('button', { name: 'Behåll den sparade versionen' }).click();
  await expect(merge).toHaveCount(0);
  const shown = sara.getByTestId('action').filter({ hasText: title });
  await expect(shown.getByTestId('action-status')).toHaveText('Klar');
  await expect(shown).not.toContainText('Det här behövs inte längre');
});
