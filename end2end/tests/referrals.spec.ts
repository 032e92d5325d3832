import { test, expect, expectAccessible, fictionalPersonnummer } from './helpers';

/** A fictional personnummer of a 16-year-old. */
const fictionalPnr = () => fictionalPersonnummer(new Date().getFullYear() - 16);

test('the police send a referral and see only its number; the Göteborg case worker accepts it and a case opens', async ({ asUser }) => {
  const police = await asUser('polis');
  await police.goto('/remisser/ny');
  await police.waitForLoadState('networkidle');
  const form = police.getByTestId('referral-form');
  const last = `Remissdemo${Date.now() % 100000}`;
  await form.getByLabel('Personnummer eller samordningsnummer').fill(fictionalPnr());
  await form.getByLabel('Förnamn').fill('Lova');
  await form.getByLabel('Efternamn').fill(last);
  await form.getByLabel('Kommun där personen bor').fill('Göteborg');
  await form.getByLabel('Rekrytering till ett kriminellt nätverk').check();
  await form.getByLabel('Brådskande', { exact: true }).check();
  await form.getByLabel('Beskriv vad du har sett eller fått veta').fill('Ses dagligen med äldre i nätverket efter skoltid.');
  await expectAccessible(police);
  await form.getByRole('button', { name: 'Skicka remissen' }).click();
  await expect(police).toHaveURL(/\/remisser\/skickad\/R-\d{4}-\d{4}$/);
  const number = (await police.getByTestId('referral-number').textContent())!.trim();
  expect(number).toMatch(/^R-\d{4}-\d{4}$/);
  await expect(police.getByTestId('referral-receipt')).not.toContainText(last);
  await expectAccessible(police);
  // The sent list says "mottagen" and nothing about the person or the outcome.
  await police.goto('/remisser/ny');
  const sent = police.getByTestId('sent-referrals');
  await expect(sent).toContainText(number);
  await expect(sent).not.toContainText(last);

  const worker = await asUser('handlaggare');
  await worker.goto('/remisser');
  await worker.waitForLoadState('networkidle');
  await worker.getByTestId('referral-queue').getByRole('link', { name: number }).click();
  await expect(worker.getByRole('heading', { name: `Remiss ${number}` })).toBeVisible();
  await expect(worker.getByText(`Lova ${last}`)).toBeVisible();
  await expectAccessible(worker);
  await worker.getByRole('button', { name: 'Påbörja granskning' }).click();
  await expect(worker.getByTestId('referral-status')).toHaveText('Under granskning');
  await worker.getByRole('button', { name: 'Godta och öppna ärende' }).click();
  await expect(worker).toHaveURL(/\/arenden\/[0-9a-f]+$/);
  await expect(worker.getByTestId('case-name')).toContainText(last);
});
