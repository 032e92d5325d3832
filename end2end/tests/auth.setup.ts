import { test as setup, expect } from '@playwright/test';
import { signIn, sessionFile, SESSION_USERS } from './helpers';

// Each demo user the tests act as signs in once, through the sign-in form with a real code, and
// the session is stored for the run. The tests of signing in, out and the second factor still
// go through the form themselves (auth.spec.ts and the others that name it).
//
// Each user's sign-in is independent of the others', so they may run side by side.
setup.describe.configure({ mode: 'parallel' });

for (const user of SESSION_USERS) {
  setup(`${user} signs in for the run`, async ({ page }) => {
    await signIn(page, user);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('button', { name: 'Logga ut' })).toBeVisible();
    await page.context().storageState({ path: sessionFile(user) });
  });
}
