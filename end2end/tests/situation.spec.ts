import { test, expect, expectAccessible } from './helpers';

test('a school contributes to the situation picture, is refused a personnummer, and the program lead sees the observation', async ({ asUser }) => {
  const school = await asUser('skola');
  await school.goto('/lagesbild');
  await school.waitForLoadState('networkidle');
  await expect(school.getByRole('heading', { name: 'Lägesbild', exact: true })).toBeVisible();
  await expectAccessible(school);
  // The current quarter is the first column.
  await school.getByTestId('situation-overview').getByRole('row', { name: /Angered/ }).getByRole('link').first().click();
  await expect(school.getByRole('heading', { name: /^Lägesbild: Angered, Kvartal \d \d{4}$/ })).toBeVisible();
  const areaUrl = school.url();
  await school.waitForLoadState('networkidle');

  const form = school.getByTestId('contribute');
  await form.getByLabel('Vad gäller iakttagelsen?').selectOption('youth_voice');
  await form.getByLabel('Grad av oro').selectOption('high');
  const refused = 'Eleven 050101-1234 berättar om hot på vägen hem';
  await form.getByLabel('Iakttagelse', { exact: true }).fill(refused);
  await form.getByRole('button', { name: 'Spara iakttagelsen' }).click();
  await expect(school.getByRole('alert').filter({ hasText: 'ser ut att innehålla ett personnummer' })).toBeVisible();
  // Nothing saved: the school's own list (the demo data holds one observation) lacks it.
  await expect(school.getByTestId('contributions')).not.toContainText('050101-1234');

  const marker = `Bilar väntar vid skolan på fredagseftermiddagar, nummer ${String(Date.now() % 1000)}.`;
  await form.getByLabel('Iakttagelse', { exact: true }).fill(marker);
  await form.getByLabel('Plats (valfritt)').fill('Skolans parkering');
  await form.getByLabel('Tid på dygnet (valfritt)').selectOption('daytime');
  await form.getByRole('button', { name: 'Spara iakttagelsen' }).click();
  await expect(school.getByText('Iakttagelsen är sparad.')).toBeVisible();
  await expect(school.getByTestId('contributions')).toContainText(marker);
  await expect(school.getByTestId('contributions')).not.toContainText('050101-1234');
  // The school may not merge: no merge form.
  await expect(school.getByTestId('merge')).toHaveCount(0);
  await expectAccessible(school);

  const lead = await asUser('programledare');
  await lead.goto(areaUrl);
  await lead.waitForLoadState('networkidle');
  const row = lead.getByTestId('contributions').getByRole('row').filter({ hasText: marker });
  await expect(row).toContainText('Grundskoleförvaltningen Göteborg');
  await expect(lead.getByTestId('merge')).toBeVisible();
  await expect(lead.getByTestId('comparison')).toBeVisible();
  await expectAccessible(lead);
});
