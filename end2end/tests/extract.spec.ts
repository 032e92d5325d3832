import { readFileSync } from 'node:fs';
import { test, expect, expectAccessible } from './helpers';

test('the case worker prints a register extract, and the log reviewer finds it in the log search', async ({ asUser }) => {
  const page = await asUser('handlaggare');
  await page.goto('/arenden?mine=on');
  await page.waitForLoadState('networkidle');
  // The oldest of her cases: the newest are the ones other tests are working on (and shredding).
  await page.getByTestId('case-list').getByRole('link', { name: /Öppna/ }).last().click();
  await expect(page.getByTestId('case-name')).toBeVisible();
  const participantId = (await page.getByTestId('participant-id').textContent())!.trim();
  await page.getByTestId('extract-link').click();
  const extract = page.getByTestId('extract');
  await expect(extract.getByRole('heading', { name: 'Registerutdrag', level: 1 })).toBeVisible();
  await expect(extract.getByRole('heading', { name: 'Personuppgifter' })).toBeVisible();
  await expect(extract).toContainText(participantId);
  await expect(page.getByTestId('extract-reads')).toContainText('Sara Lindqvist');
  await expectAccessible(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('extract-json').click()]);
  const json = JSON.parse(readFileSync(await download.path(), 'utf-8'));
  expect(json.participant_id).toBe(participantId);
  expect(Array.isArray(json.sections)).toBe(true);

  const reviewer = await asUser('granskare');
  await reviewer.goto('/granskning');
  await reviewer.waitForLoadState('networkidle');
  const form = reviewer.getByTestId('log-search-form');
  await form.getByLabel('Deltagare (id)').fill(participantId);
  await form.getByLabel('Händelse').selectOption('participant.extract');
  await form.getByRole('button', { name: 'Sök' }).click();
  await expect(reviewer).toHaveURL(/sok_handelse=participant\.extract/);
  const rows = reviewer.getByTestId('log-search').getByRole('row').filter({ hasText: 'Sara Lindqvist' });
  await expect(rows.first()).toContainText('Tog fram registerutdrag');
  await expectAccessible(reviewer);
});

test('the register extract has a secrecy review: the case worker releases one item and withholds one with a reason', async ({ asUser }) => {
  const page = await asUser('handlaggare');
  await page.goto('/arenden?mine=on');
  await page.waitForLoadState('networkidle');
  // A case of the case worker's with items up for review on two different records (the police's
  // threat assessment and Passus's action on the demo cases they share). The oldest such case:
  // the list shows the newest first, and the newest are the ones other tests are working on.
  const hrefs = await page
    .getByTestId('case-list')
    .getByRole('link', { name: /Öppna/ })
    .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
  let caseId = '';
  let releaseKey = '';
  let withholdKey = '';
  for (const href of hrefs.reverse()) {
    const id = href.split('/').filter(Boolean)[1];
    if (!id) continue;
    const r = await page.request.get(`/api/cases/extract_review?case_id=${id}`);
    if (!r.ok()) continue;
    const found: { key: string; record_id: string }[] = (await r.json()).items;
    const other = found.find((i) => i.record_id !== found[0].record_id);
    if (other) {
      [caseId, releaseKey, withholdKey] = [id, found[0].key, other.key];
      break;
    }
  }
  expect(caseId, 'a case with items up for review on two records').not.toBe('');

  await page.goto(`/arenden/${caseId}/registerutdrag`);
  await page.waitForLoadState('networkidle');
  const review = page.getByTestId('extract-review');
  await expect(review.getByRole('heading', { name: 'Sekretessprövning före utlämnande' })).toBeVisible();
  const items = review.getByTestId('review-item');
  const total = await items.count();
  expect(total).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('review-status')).toHaveText(`0 av ${total} prövade`);
  await expect(items.first().getByTestId('review-item-status')).toHaveText('Väntar på prövning');
  await expect(page.getByTestId('extract-pending')).toBeVisible();
  await expectAccessible(page);

  const item = (key: string) => review.locator(`[data-testid="review-item"][data-item="${key}"]`);
  const printed = (key: string) => page.getByTestId('extract').locator(`table.extract-record[data-record="${key.split(':')[1]}"]`).first();
  // Before any decision the extract gives neither: only the marker.
  await expect(printed(releaseKey)).toContainText('Väntar på sekretessprövning');
  await expect(printed(withholdKey)).toContainText('Väntar på sekretessprövning');
  // The value the release would give, as the case worker sees it in the review: the longest line.
  const valueText = (await item(releaseKey).getByTestId('review-item-value').innerText())
    .split('\n')
    .map((l) => l.slice(l.indexOf(': ') + 2))
    .sort((a, b) => b.length - a.length)[0];

  await item(releaseKey).getByRole('button', { name: 'Lämna ut' }).click();
  await expect(item(releaseKey).getByTestId('review-item-status')).toHaveText('Lämnas ut');
  await expect(page.getByTestId('review-status')).toHaveText(`1 av ${total} prövade`);

  const reason = 'Polisens underlag, sekretess enligt OSL 18 kap. 1 §';
  await item(withholdKey).getByLabel('Skäl för undantag (står i utdraget)').fill(reason);
  await item(withholdKey).getByRole('button', { name: 'Undanta' }).click();
  await expect(item(withholdKey).getByTestId('review-item-status')).toHaveText('Undantas');
  await expect(page.getByTestId('review-status')).toHaveText(`2 av ${total} prövade`);

  // The printable extract gives the released value and, for the withheld one, the marker and why.
  await expect(printed(releaseKey)).not.toContainText('sekretessprövning');
  await expect(printed(releaseKey)).toContainText(valueText);
  await expect(printed(withholdKey)).toContainText('Undantaget efter sekretessprövning');
  await expect(printed(withholdKey)).toContainText(reason);
  await expect(page.getByTestId('extract-withheld')).toContainText(reason);
  await expectAccessible(page);

  // The JSON download honours the same decisions.
  const json = await (await page.request.get(`/api/cases/extract?case_id=${caseId}`)).json();
  const keys = json.withheld.map((w: { key: string }) => w.key);
  expect(keys).toContain(withholdKey);
  expect(keys).not.toContain(releaseKey);
  expect(JSON.stringify(json)).toContain(reason);
});
