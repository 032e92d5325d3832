import { test, expect, expectAccessible, fictionalPersonnummer } from './helpers';

test('Göteborg hands a case over to Malmö with the chosen parts; Malmö sees only the summary, accepts and owns the case', async ({ asUser }) => {
  // Göteborg registers a person who is moving.
  const gbg = await asUser('handlaggare');
  gbg.on('dialog', (d) => d.accept());
  const last = `Flyttsson${Date.now() % 100000}`;
  await gbg.goto('/arenden/ny');
  await gbg.waitForLoadState('networkidle');
  await gbg.getByLabel('Förnamn').fill('Alva');
  await gbg.getByLabel('Efternamn').fill(last);
  await gbg.getByLabel('Personnummer (ÅÅÅÅMMDD-NNNN)').fill(fictionalPersonnummer(1986));
  await gbg.getByLabel('Kön').selectOption('female');
  await gbg.getByLabel('Bakgrund och situation').fill('Fiktiv testperson. Flyttar till en annan kommun.');
  await gbg.getByRole('button', { name: 'Registrera deltagare' }).click();
  await expect(gbg).toHaveURL(/\/arenden\/(?!ny$)[A-Za-z0-9_-]+$/);
  const caseId = gbg.url().split('/').pop()!;

  // The offer: Malmö, the person and the plan, not safety; a covering note.
  await gbg.getByRole('link', { name: 'Överlämna', exact: true }).click();
  await expect(gbg).toHaveURL(new RegExp(`/arenden/${caseId}/overlamna$`));
  await gbg.waitForLoadState('networkidle');
  await expectAccessible(gbg);
  const form = gbg.getByTestId('handover-form');
  await form.getByLabel('Socialtjänst i den nya kommunen').selectOption({ label: 'Socialtjänsten Malmö (Malmö)' });
  await expect(form.getByLabel('Personuppgifter (namn, personnummer, födelseår)')).toBeChecked();
  await form.getByLabel('Handlingsplan (mål och åtgärder)').check();
  await expect(form.getByLabel('Säkerhet (skyddsåtgärder och hotbedömningar)')).not.toBeChecked();
  await form.getByLabel('Följebrev till mottagaren (valfritt)').fill('Alva flyttar till Malmö nästa vecka.');
  await form.getByRole('button', { name: 'Lämna över ärendet' }).click();
  await expect(gbg).toHaveURL(/\/overlamningar\/[A-Za-z0-9_-]+$/);
  const handoverId = gbg.url().split('/').pop()!;
  await expect(gbg.getByRole('heading', { name: 'Överlämning till Socialtjänsten Malmö' })).toBeVisible();
  await expect(gbg.getByTestId('handover-status')).toHaveText('Väntar på svar');

  // Malmö finds it among its incoming handovers and sees only the chosen summary.
  const malmo = await asUser('handlaggare.malmo');
  malmo.on('dialog', (d) => d.accept());
  await malmo.goto('/overlamningar');
  await malmo.waitForLoadState('networkidle');
  await expectAccessible(malmo);
  await expect(malmo.getByTestId('handovers-incoming').locator(`tr[data-handover="${handoverId}"]`)).toContainText('Väntar på svar');
  // The case itself stays closed to Malmö until it accepts.
  await malmo.goto(`/arenden/${caseId}`);
  await expect(malmo.getByTestId('access-denied')).toBeVisible();
  await malmo.goto(`/overlamningar/${handoverId}`);
  await malmo.waitForLoadState('networkidle');
  const summary = malmo.getByTestId('handover-summary');
  await expect(summary).toContainText(`Alva ${last}`);
  // Each value is named by the page from its code, not frozen in the sender's words.
  await expect(summary.locator('[data-part="person"] dt')).toHaveText(['Namn', 'Personnummer', 'Födelseår', 'Kön', 'Skyddade personuppgifter']);
  await expect(summary.locator('[data-part="status"] dt')).toHaveText(['Status', 'SSPF-nivå', 'Ärendet öppnat']);
  await expect(summary.locator('h3')).toHaveText(['Personuppgifter (namn, personnummer, födelseår)', 'Ärendets status och SSPF-nivå', 'Handlingsplan (mål och åtgärder)']);
  await expect(summary).not.toContainText('Hotbedömning');
  await expect(malmo.getByTestId('handover-note')).toHaveText('Alva flyttar till Malmö nästa vecka.');
  await expect(malmo.getByTestId('handover-case')).toHaveCount(0);
  await expectAccessible(malmo);

  // Malmö accepts and the case is Malmö's.
  await malmo.getByRole('button', { name: 'Acceptera och ta över ärendet' }).click();
  await expect(malmo).toHaveURL(new RegExp(`/arenden/${caseId}$`));
  await expect(malmo.getByTestId('case-name')).toHaveText(`Alva ${last}`);
  await expect(malmo.getByText('Socialtjänsten Malmö', { exact: true }).first()).toBeVisible();
  await expect(malmo.getByRole('link', { name: 'Ändra uppgifter' })).toBeVisible();

  // Göteborg still reads it for the read period, but no longer changes it.
  await gbg.goto(`/arenden/${caseId}`);
  await gbg.waitForLoadState('networkidle');
  await expect(gbg.getByTestId('case-name')).toHaveText(`Alva ${last}`);
  await expect(gbg.getByRole('link', { name: 'Ändra uppgifter' })).toHaveCount(0);
  // Every page of the case says so, and the notes take no new one.
  await expect(gbg.getByTestId('handed-over')).toBeVisible();
  await gbg.goto(`/arenden/${caseId}/anteckningar`);
  await expect(gbg.getByTestId('handed-over')).toBeVisible();
  await expect(gbg.getByTestId('add-note')).toHaveCount(0);
  // Nor a contact: the log of earlier ones stays.
  await gbg.goto(`/arenden/${caseId}/kontakt`);
  await expect(gbg.getByTestId('handed-over')).toBeVisible();
  await expect(gbg.getByRole('heading', { name: 'Senaste kontakterna' })).toBeVisible();
  await expect(gbg.getByTestId('contact-form')).toHaveCount(0);
  // Malmö, who owns it now, is told nothing of the kind.
  await malmo.goto(`/arenden/${caseId}/anteckningar`);
  await expect(malmo.getByTestId('add-note')).toBeVisible();
  await expect(malmo.getByTestId('handed-over')).toHaveCount(0);
});
