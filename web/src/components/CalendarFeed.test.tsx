import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import i18n from '../i18n';
import { en, ko } from '../locales';
import type { Session } from '../api/types';
import { AddToCalendar, CalendarFeedSection } from './CalendarFeed';
import { ConfirmProvider } from './Dialog';
import { ToastProvider } from './Toasts';
import { json, problem, renderWithStore, stubFetch } from '../test/render';
import { host } from '../test/fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  void i18n.changeLanguage('en');
});

function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1', title: '세션', description: '', state: 'scheduled', starts_at: '2026-12-01T10:00:00Z', started_at: null, ended_at: null,
    target_guests: 0, wish_count: 0, wished_by_me: false, question_count: 0, participant_count: 0, host, ...over,
  };
}

describe('add to calendar', () => {
  it('links to the session’s .ics file as a download', () => {
    renderWithStore(<AddToCalendar session={session()} />);
    const link = screen.getByRole('link', { name: /Add to calendar/ });
    expect(link).toHaveAttribute('href', '/api/v1/sessions/s1/calendar.ics');
    expect(link).toHaveAttribute('download');
    expect(link).toHaveAccessibleDescription(en.calendar.addHint);
  });

  it('shows for sessions with a time that have not gone live, and for no others', () => {
    for (const state of ['recruiting', 'ready', 'scheduled'] as const) {
      const { unmount } = renderWithStore(<AddToCalendar session={session({ state })} />);
      expect(screen.getByRole('link', { name: /Add to calendar/ })).toBeInTheDocument();
      unmount();
    }
    for (const over of [{ state: 'live' as const }, { state: 'ended' as const }, { state: 'cancelled' as const }, { starts_at: null }]) {
      const { container, unmount } = renderWithStore(<AddToCalendar session={session(over)} />);
      expect(container).toBeEmptyDOMElement();
      unmount();
    }
  });
});

/** A server holding one user's feed: each POST makes a new address. */
function feedServer() {
  let made = 0;
  let active = false;
  const stub = stubFetch((req) => {
    const path = new URL(req.url).pathname;
    if (path !== '/api/v1/me/calendar-feed') return problem(404, 'not_found', 'no such thing');
    switch (req.method) {
      case 'GET':
        return json({ active, created_at: active ? '2026-11-20T09:00:00Z' : null });
      case 'POST':
        made++;
        active = true;
        return json({ url: `http://localhost/api/v1/calendar/secret${made}.ics`, webcal_url: `webcal://localhost/api/v1/calendar/secret${made}.ics`, created_at: '2026-11-20T09:00:00Z' }, 201);
      case 'DELETE':
        active = false;
        return new Response(null, { status: 204 });
    }
    return problem(405, 'invalid_input', 'no');
  });
  return stub;
}

function feedSection() {
  return (
    <ToastProvider>
      <ConfirmProvider>
        <CalendarFeedSection />
      </ConfirmProvider>
    </ToastProvider>
  );
}

describe('calendar feed', () => {
  it('makes an address, copies it, makes a new one, and turns it off', async () => {
    const user = userEvent.setup();
    const { fn, calls } = feedServer();
    vi.stubGlobal('fetch', fn);
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderWithStore(feedSection());
    const region = await screen.findByRole('region', { name: en.calendar.title });
    expect(within(region).getByText(en.calendar.intro)).toBeInTheDocument();

    await user.click(await within(region).findByRole('button', { name: en.calendar.create }));
    const input = await within(region).findByLabelText(en.calendar.url);
    expect(input).toHaveValue('http://localhost/api/v1/calendar/secret1.ics');
    expect(input).toHaveAccessibleDescription(en.calendar.secretHint);
    expect(within(region).getByRole('link', { name: en.calendar.openApp })).toHaveAttribute('href', 'webcal://localhost/api/v1/calendar/secret1.ics');
    expect(await screen.findByText(en.calendar.created)).toBeInTheDocument();

    await user.click(within(region).getByRole('button', { name: en.calendar.copy }));
    expect(writeText).toHaveBeenCalledWith('http://localhost/api/v1/calendar/secret1.ics');
    expect(await screen.findByText(en.calendar.copied)).toBeInTheDocument();

    // A new address: asked first, then shown in place of the old.
    await user.click(within(region).getByRole('button', { name: en.calendar.rotate }));
    const dialog = await screen.findByRole('dialog', { name: en.calendar.confirmRotate });
    await user.click(within(dialog).getByRole('button', { name: en.calendar.rotate }));
    await waitFor(() => expect(within(region).getByLabelText(en.calendar.url)).toHaveValue('http://localhost/api/v1/calendar/secret2.ics'));

    // Turning it off is destructive: Cancel has the focus, and cancelling does nothing.
    await user.click(within(region).getByRole('button', { name: en.calendar.revoke }));
    let off = await screen.findByRole('dialog', { name: en.calendar.confirmRevoke });
    expect(within(off).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(off).getByRole('button', { name: 'Cancel' }));
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
    await user.click(within(region).getByRole('button', { name: en.calendar.revoke }));
    off = await screen.findByRole('dialog', { name: en.calendar.confirmRevoke });
    await user.click(within(off).getByRole('button', { name: en.calendar.revoke }));
    expect(await within(region).findByRole('button', { name: en.calendar.create })).toBeInTheDocument();
    expect(within(region).queryByLabelText(en.calendar.url)).toBeNull();
    expect(calls.map((c) => c.method)).toEqual(expect.arrayContaining(['POST', 'POST', 'DELETE']));
  });

  it('says a feed is on without showing an address it no longer has', async () => {
    const { fn } = feedServer();
    vi.stubGlobal('fetch', fn);
    await fn(new Request('http://localhost/api/v1/me/calendar-feed', { method: 'POST' }));
    renderWithStore(feedSection());
    const region = await screen.findByRole('region', { name: en.calendar.title });
    expect(await within(region).findByText(en.calendar.on)).toBeInTheDocument();
    expect(within(region).getByText(en.calendar.shownOnce)).toBeInTheDocument();
    expect(within(region).queryByLabelText(en.calendar.url)).toBeNull();
    expect(within(region).getByRole('button', { name: en.calendar.rotate })).toBeInTheDocument();
    expect(within(region).getByRole('button', { name: en.calendar.revoke })).toBeInTheDocument();
  });

  it('selects the address when the clipboard is refused', async () => {
    const user = userEvent.setup();
    const { fn } = feedServer();
    vi.stubGlobal('fetch', fn);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) }, configurable: true });
    renderWithStore(feedSection());
    const region = await screen.findByRole('region', { name: en.calendar.title });
    await user.click(await within(region).findByRole('button', { name: en.calendar.create }));
    const input = await within(region).findByLabelText<HTMLInputElement>(en.calendar.url);
    input.blur();
    await user.click(within(region).getByRole('button', { name: en.calendar.copy }));
    expect(await screen.findByText(en.calendar.copyFailed)).toBeInTheDocument();
    expect(input.selectionEnd! - input.selectionStart!).toBe(input.value.length);
  });

  it('speaks Korean', async () => {
    await act(() => i18n.changeLanguage('ko'));
    const { fn } = feedServer();
    vi.stubGlobal('fetch', fn);
    renderWithStore(feedSection());
    const region = await screen.findByRole('region', { name: ko.calendar.title });
    expect(await within(region).findByRole('button', { name: ko.calendar.create })).toBeInTheDocument();
    expect(within(region).getByText(ko.calendar.intro)).toBeInTheDocument();
  });

  it('says what went wrong when the server refuses', async () => {
    const user = userEvent.setup();
    vi.stubGlobal('fetch', stubFetch((req) => req.method === 'POST'
      ? problem(429, 'rate_limited', 'too many')
      : json({ active: false, created_at: null })).fn);
    renderWithStore(feedSection());
    const region = await screen.findByRole('region', { name: en.calendar.title });
    await user.click(await within(region).findByRole('button', { name: en.calendar.create }));
    expect(await screen.findByText(en.errors.rateLimited)).toBeInTheDocument();
    expect(within(region).queryByLabelText(en.calendar.url)).toBeNull();
  });
});
