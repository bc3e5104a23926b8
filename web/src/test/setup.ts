import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';
import i18n from '../i18n';

void i18n.changeLanguage('en');

// findBy… and waitFor wait for what they look for; on a busy machine the
// default second is not always enough for a render, so they may wait five.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});
