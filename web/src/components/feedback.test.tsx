import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import i18n from '../i18n';
import { renderWithStore } from '../test/render';
import { ConfirmProvider, useConfirm } from './Dialog';
import { ToastProvider, useNotify } from './Toasts';

afterEach(() => {
  vi.useRealTimers();
  void i18n.changeLanguage('en');
});

function Asker() {
  const confirm = useConfirm();
  const [answer, setAnswer] = useState('none');
  return (
    <>
      <button type="button" onClick={async () => setAnswer(String(await confirm({ title: 'Delete it?', body: 'For good.', confirm: 'Delete', danger: true })))}>Ask</button>
      <p>answer: {answer}</p>
    </>
  );
}

describe('confirm dialog', () => {
  it('is labelled, keeps focus inside, and Escape cancels with focus back on the opener', async () => {
    renderWithStore(<ConfirmProvider><Asker /></ConfirmProvider>);
    const opener = screen.getByRole('button', { name: 'Ask' });
    await userEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Delete it?' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleDescription('For good.');
    // Destructive: Cancel has the focus; Tab cycles between the two buttons.
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.tab();
    expect(screen.getByRole('button', { name: 'Delete' })).toHaveFocus();
    await userEvent.tab();
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(screen.getByRole('button', { name: 'Delete' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('answer: false')).toBeInTheDocument();
    expect(opener).toHaveFocus();
  });

  it('resolves true when confirmed', async () => {
    renderWithStore(<ConfirmProvider><Asker /></ConfirmProvider>);
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('answer: true')).toBeInTheDocument();
  });
});

function Notifier({ error }: { error?: unknown }) {
  const notify = useNotify();
  return (
    <>
      <button type="button" onClick={() => notify.success('q.posted')}>ok</button>
      <button type="button" onClick={() => notify.error(error)}>fail</button>
    </>
  );
}

describe('notifications', () => {
  it('say what happened in the current language, even after a switch', async () => {
    renderWithStore(<ToastProvider><Notifier /></ToastProvider>);
    await userEvent.click(screen.getByRole('button', { name: 'ok' }));
    const region = screen.getByRole('region', { name: 'Notifications' });
    expect(region).toHaveTextContent('Question posted!');
    expect(screen.getByRole('status')).toHaveTextContent('Question posted!');
    await act(async () => { await i18n.changeLanguage('ko'); });
    expect(screen.getByRole('status')).toHaveTextContent('질문 등록 성공!');
  });

  it('tell errors by code, as alerts, and go away by themselves', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    renderWithStore(<ToastProvider><Notifier error={{ status: 429, code: 'rate_limited', detail: 'too many commands; retry in 0.5 s' }} /></ToastProvider>);
    await userEvent.click(screen.getByRole('button', { name: 'fail' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Too fast');
    expect(screen.queryByText(/too many commands/)).toBeNull();
    act(() => { vi.advanceTimersByTime(10_000); });
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
  });

  it('can be dismissed', async () => {
    renderWithStore(<ToastProvider><Notifier /></ToastProvider>);
    await userEvent.click(screen.getByRole('button', { name: 'ok' }));
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('status')).toBeNull();
  });
});
