import { test, expect, expectAccessible } from './helpers';

test('an unsaved note survives a reload, is offered back as a draft, and can be thrown away', async ({ asUser }) => {
  const page = await asUser('handlaggare');
  await page.goto('/arenden?mine=on');
  await page.waitForLoadState('networkidle');
  // The oldest of her cases: the newest are the ones other tests are working on.
  const href = await page.getByTestId('case-list').getByRole('link', { name: /Öppna/ }).last().getAttribute('href');
  const notes = `${href}/anteckningar`;
  await page.goto(notes);
  await page.waitForLoadState('networkidle');
  const text = `Utkast som inte får försvinna ${Math.random().toString(36).slice(2, 7)}`;
  const field = page.getByTestId('add-note').getByLabel('Anteckning');
  await field.fill(text);
  await expect(page.getByTestId('draft-restored')).toHaveCount(0);

  // The tab is reloaded (or the session timed out and the page was opened again).
  await page.reload();
  await page.waitForLoadState('networkidle');
  await expect(field).toHaveValue(text);
  const notice = page.getByTestId('draft-restored');
  await expect(notice).toBeVisible();
  await expectAccessible(page);

  // Thrown away: the field is empty again, and stays so after the next reload.
  await notice.getByRole('button', { name: 'släng utkastet' }).click();
  await expect(field).toHaveValue('');
  await expect(notice).toHaveCount(0);
  await page.reload();
  await page.waitForLoadState('networkidle');
  await expect(field).toHaveValue('');
  await expect(page.getByTestId('draft-restored')).toHaveCount(0);
});
