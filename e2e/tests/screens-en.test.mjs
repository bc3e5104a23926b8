// Every screen in English, on a phone and a desktop (see ../screens.mjs).
import { test } from 'node:test';
import { checkScreens } from '../screens.mjs';

test('every screen in English at phone and desktop width', async (t) => {
  await checkScreens(t, [{ lang: 'en', width: 390 }, { lang: 'en', width: 1366 }]);
});
