import { test, expect, expectAccessible, fictionalPersonnummer, swedishDate } from './helpers';

/** `ÅÅÅÅ-MM-DD`, `days` from today in Sweden. */
const inDays = swedishDate;

test('the police refer; the council accepts and assigns Passus mentoring; the case worker finds the case with its action; Passus reads only its part of the minutes', async ({ asUser }) => {
  // The police send a referral of a 15-year-old.
  const police = await asUser('polis');
  await police.goto('/remisser/ny');
  await police.waitForLoadState('networkidle');
  const form = police.getByTestId('referral-form');
  const last = `Rådsdemo${Date.now() % 100000}`;
  await form.getByLabel('Personnummer eller samordningsnummer').fill(fictionalPersonnummer(new Date().getFullYear() - 15));
  await form.getByLabel('Förnamn').fill('Noel');
  await form.getByLabel('Efternamn').fill(last);
  await form.getByLabel('Kommun där personen bor').fill('Göteborg');
  await form.getByLabel('Rekrytering till ett kriminellt nätverk').check();
  await form.getByLabel('Beskriv vad du har sett eller fått veta').fill('Springer ärenden åt äldre i nätverket. Fiktiv testremiss.');
  await form.getByRole('button', { name: 'Skicka remissen' }).click();
  await expect(police).toHaveURL(/\/remisser\/skickad\/R-\d{4}-\d{4}$/);
  const number = (await police.getByTestId('referral-number').textContent())!.trim();

  // The chair opens the next planned meeting and puts the referral on its agenda.
  const worker = await asUser('handlaggare');
  await worker.goto('/samverkansrad');
  await worker.waitForLoadState('networkidle');
  await expectAccessible(worker);
  const planned = worker.getByTestId('council-meetings').locator('tr', { hasText: 'Planerat' }).first();
  await planned.getByRole('link').click();
  await expect(worker.getByRole('heading', { name: /^Samverkansråd \d{4}-\d{2}-\d{2}$/ })).toBeVisible();
  await worker.waitForLoadState('networkidle');
  await worker.getByLabel('Remiss eller ärende').selectOption({ label: `Remiss ${number}` });
  await worker.getByTestId('add-item').getByRole('button', { name: 'Lägg till' }).click();
  const item = worker.locator('li[data-item]', { hasText: `Remiss ${number}` });
  await expect(item).toBeVisible();
  await expectAccessible(worker);

  // The decision: priority 1, mentoring by Passus with a follow-up in a month.
  const decide = item.getByTestId('decide-item');
  await decide.getByLabel('1 – högst').check();
  await decide.getByLabel('Insats', { exact: true }).first().selectOption({ label: 'Mentorskap' });
  await decide.getByLabel('Utförs av').first().selectOption({ label: 'Passus Göteborg' });
  await decide.getByLabel('Uppföljning').first().fill(inDays(30));
  await decide.getByRole('button', { name: 'Besluta' }).click();
  await expect(worker.getByRole('status')).toContainText('Beslutet är sparat');
  const decided = worker.locator('li[data-item]', { hasText: `Remiss ${number}` });
  await expect(decided).toContainText('Beslutad');
  await expect(decided).toContainText('Mentorskap – Passus Göteborg');

  // The case is open, with the council's action on its plan.
  await decided.getByTestId('item-case').click();
  await expect(worker).toHaveURL(/\/arenden\/[0-9a-f]+\/plan$/);
  await expect(worker.getByTestId('case-name')).toContainText(last);
  const action = worker.getByTestId('action').filter({ hasText: 'Mentorskap – Passus Göteborg' });
  await expect(action).toBeVisible();
  await expect(action.getByTestId('action-status')).toHaveText('Planerad');

  // Passus reads the minutes: its own intervention, and no name of a person it does not work with.
  const passus = await asUser('passus');
  await passus.goto('/samverkansrad');
  await passus.waitForLoadState('networkidle');
  await passus.getByTestId('council-meetings').locator('tr', { hasText: 'Planerat' }).first().getByRole('link').click();
  const minutes = passus.getByTestId('minutes');
  await expect(minutes).toContainText('Mentorskap');
  await expect(minutes).toContainText('Passus Göteborg');
  await expect(minutes).not.toContainText(last);
  await expect(minutes).not.toContainText('Fiktivt demobeslut');
  await expectAccessible(passus);
});
