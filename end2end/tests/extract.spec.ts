import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { signIn, signOut, expectAccessible } from './helpers';

test('the case worker prints a register extract, and the log reviewer finds it in the log search', async ({ page }) => {
  await signIn(page, 'handlaggare');
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/arenden?mine=on');
  await page.waitForLoadState('networkidle');
  await page.getByTestId('case-list').getByRole('link', { name: /Öppna/ }).first().click();
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
  await signOut(page);

  await signIn(page, 'granskare');
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/granskning');
  await page.waitForLoadState('networkidle');
  const form = page.getByTestId('log-search-form');
  await form.getByLabel('Deltagare (id)').fill(participantId);
  await form.getByLabel('Händelse').selectOption('participant.extract');
  await form.getByRole('button', { name: 'Sök' }).click();
  await expect(page).toHaveURL(/sok_handelse=participant\.extract/);
  const rows = page.getByTestId('log-search').getByRole('row').filter({ hasText: 'Sara Lindqvist' });
  await expect(rows.first()).toContainText('Tog fram registerutdrag');
  await expectAccessible(page);
});
