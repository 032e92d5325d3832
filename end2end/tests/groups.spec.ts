import { test, expect, expectAccessible, swedishDate } from './helpers';

const GROUP = 'Gruppen vid Hammarkullen torg';

test('the case worker follows the SSPF group and records the guardians\' consent of a young person', async ({ asUser }) => {
  const w = await asUser('handlaggare2');
  await w.goto('/');
  await w.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Grupper' }).click();
  await expect(w).toHaveURL(/\/grupper$/);
  await w.waitForLoadState('networkidle');
  await expectAccessible(w);
  await w.getByRole('link', { name: GROUP }).click();
  await expect(w.getByTestId('group-name')).toHaveText(GROUP);
  await w.waitForLoadState('networkidle');
  await expectAccessible(w);
  const members = w.getByTestId('group-members');
  await expect(members).toContainText('Elias Demoberg');

  // Elias's overview names the group; his guardians have consented; his plan has work with them.
  await members.getByRole('link', { name: 'Elias Demoberg' }).click();
  await expect(w.getByTestId('case-groups')).toContainText(GROUP);
  await expect(w.getByTestId('guardian-consent-missing')).toHaveCount(0);
  await w.getByRole('link', { name: 'Handlingsplan', exact: true }).click();
  await expect(w.getByTestId('action-with-guardians')).toHaveText('Arbete med föräldrar/vårdnadshavare');

  // Liam is 16 and no guardian has consented: the overview warns until the consent is recorded.
  await w.goto('/arenden?status=referred&mine=1');
  await w.getByRole('row').filter({ hasText: 'Liam Exempelsson' }).getByRole('link', { name: /Öppna ärendet/ }).click();
  await expect(w.getByTestId('guardian-consent-missing')).toContainText('Vårdnadshavares samtycke saknas');
  await w.getByRole('link', { name: 'Registrera samtycket under Vårdnadshavare' }).click();
  await expect(w).toHaveURL(/\/arenden\/[A-Za-z0-9_-]+\/vardnadshavare$/);
  await w.waitForLoadState('networkidle');
  await expectAccessible(w);
  const guardian = w.getByTestId('guardian').filter({ hasText: 'Sara Exempelsson' });
  await guardian.getByText('Registrera samtycke').click();
  const today = swedishDate();
  await guardian.getByLabel('Samtycket gavs').fill(today);
  await guardian.getByLabel('Samtycket omfattar').fill('Insatser enligt planen och samverkan med skolan');
  await guardian.getByRole('button', { name: 'Spara samtycket' }).click();
  await expect(guardian.getByTestId('guardian-consent')).toContainText('Insatser enligt planen och samverkan med skolan');
  await expect(w.getByTestId('guardian-consent-missing')).toHaveCount(0);
});

test('a partner has no way to the groups', async ({ asUser }) => {
  const p = await asUser('passus');
  await p.goto('/');
  await expect(p.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Grupper' })).toHaveCount(0);
  await p.goto('/grupper');
  await expect(p.getByRole('alert')).toBeVisible();
  await expect(p.getByText(GROUP)).toHaveCount(0);
  await expect(p.getByRole('heading', { name: 'SSPF-grupper' })).toHaveCount(0);
});
