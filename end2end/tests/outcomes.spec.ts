import { readFileSync } from 'node:fs';
import { test, expect, expectAccessible } from './helpers';

async function settle(page: import('@playwright/test').Page) {
  await page.waitForLoadState('networkidle');
}

test.describe('outcomes dashboard', () => {
  test('the program lead opens the dashboard, changes the period and downloads the CSV', async ({ asUser }) => {
    const page = await asUser('programledare');
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Uppföljning' }).click();
    await expect(page).toHaveURL(/\/uppfoljning$/);
    await settle(page);
    const figures = page.getByTestId('key-figures');
    await expect(figures).toContainText('Deltagare under perioden');
    // The demo history is large enough for real figures and has small groups that are hidden.
    await expect(figures.locator('dd').first()).toHaveText(/^\d{2,}$/);
    await expect(page.getByTestId('dashboard')).toContainText('< 5');
    // Every chart is an image with a name, and its figures are in a table behind it.
    const chart = page.getByRole('img', { name: 'Deltagare efter status vid periodens slut' });
    await expect(chart).toBeVisible();
    const section = page.locator('figure.chart').first();
    await section.getByText('Visa som tabell').click();
    await expect(section.getByRole('table')).toContainText('Totalt');
    await expectAccessible(page);

    // Last year, Malmö only.
    const year = new Date().getFullYear() - 1;
    await page.getByLabel('Från och med').fill(`${year}-01`);
    await page.getByLabel('Till och med').fill(`${year}-12`);
    await page.getByLabel('Kommun').selectOption('Malmö');
    await page.getByRole('button', { name: 'Visa' }).click();
    await expect(page).toHaveURL(new RegExp(`from=${year}-01.*to=${year}-12.*kommun=Malm`));
    await expect(page.getByTestId('scope')).toHaveText(`${year}-01 – ${year}-12, Malmö`);
    await expect(page.locator('table.stats', { hasText: 'Intag' }).locator('tbody tr')).toHaveCount(12);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-link').click()]);
    expect(download.suggestedFilename()).toBe(`utvag-rapport-${year}-01-${year}-12.csv`);
    const csv = readFileSync(await download.path(), 'utf-8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('avsnitt;grupp;kolumn;värde;enhet');
    expect(lines).toContain('urval;kommun;;Malmö;');
    expect(lines.some((l) => l.startsWith('deltagare;totalt;;') && /;\d+;personer$/.test(l))).toBe(true);
    // A hidden figure is "<5" in the file too, never its value.
    expect(lines.some((l) => l.endsWith(';<5;personer'))).toBe(true);

    // The printable report shows the same period.
    await page.getByRole('link', { name: 'Utskriftsvänlig rapport' }).click();
    await expect(page.getByRole('heading', { name: 'Rapport: avhopparverksamhetens resultat' })).toBeVisible();
    await expect(page.getByTestId('report')).toContainText(`${year}-01 – ${year}-12, Malmö`);
    await expect(page.getByRole('button', { name: 'Skriv ut' })).toBeVisible();
    await expectAccessible(page);
  });

  test('a case worker is not shown the dashboard', async ({ asUser }) => {
    const page = await asUser('handlaggare');
    await page.goto('/uppfoljning');
    await expect(page.getByRole('alert')).toHaveText('Du har inte behörighet till det här.');
    const res = await page.request.get('/api/rapport.csv');
    expect(res.status()).toBe(403);
  });

  test('a period that ends before it starts is explained', async ({ asUser }) => {
    const page = await asUser('programledare');
    await page.goto('/uppfoljning?from=2026-05-01&to=2026-04-01');
    await expect(page.getByRole('alert')).toHaveText('Periodens början ligger efter dess slut.');
  });

  test('a period given in days is widened to whole months', async ({ asUser }) => {
    const page = await asUser('programledare');
    await page.goto('/uppfoljning?from=2025-03-14&to=2025-05-02');
    await expect(page.getByTestId('scope')).toHaveText('2025-03 – 2025-05, alla kommuner');
    await expect(page.getByLabel('Från och med')).toHaveValue('2025-03');
    await expect(page.getByLabel('Till och med')).toHaveValue('2025-05');
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('the period form works as a plain GET', async ({ asUser }) => {
      const page = await asUser('programledare');
      await page.goto('/uppfoljning');
      await page.getByLabel('Kommun').selectOption('Göteborg');
      await page.getByRole('button', { name: 'Visa' }).click();
      await expect(page).toHaveURL(/kommun=G/);
      await expect(page.getByTestId('scope')).toContainText('Göteborg');
      await expect(page.getByRole('img', { name: 'Intag och avslut per månad' })).toBeVisible();
    });
  });
});

test('the administrator sees the retention settings and what is due now, without changing anything', async ({ asUser }) => {
  const page = await asUser('admin');
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Gallring' }).click();
  await settle(page);
  const section = page.getByTestId('retention');
  await expect(section).toContainText('Avslutade ärenden utan anteckning på 5 år');
  await section.getByRole('button', { name: 'Visa vad som står på tur' }).click();
  // The demo history is three years long: nothing is due yet.
  await expect(page.getByTestId('retention-preview')).toContainText('Står på tur nu: 0 deltagare');
  await expect(page.getByTestId('retention-preview')).toContainText('Inget har ändrats.');
  await expectAccessible(page);
});
