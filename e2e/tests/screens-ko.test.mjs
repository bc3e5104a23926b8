// Every screen in Korean, on a phone and a desktop (see ../screens.mjs).
import { test } from 'node:test';
import { checkScreens } from '../screens.mjs';

test('every screen in Korean at phone and desktop width', async (t) => {
  await checkScreens(t, [{ lang: 'ko', width: 390 }, { lang: 'ko', width: 1366 }]);
});
