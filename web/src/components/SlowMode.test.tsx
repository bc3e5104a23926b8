import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import i18n from '../i18n';
import { live } from '../live/liveSlice';
import type { Command, LiveSession, You } from '../live/protocol';
import { CommandFailed } from '../live/socket';
import { makeStore } from '../store';
import { host, snapshot } from '../test/fixtures';
import { renderWithStore } from '../test/render';
import { ChatSendButton, SlowModeControl, SlowModeNotice, useChatWait, useSendChat } from './SlowMode';
import { ToastProvider } from './Toasts';

afterEach(() => {
  vi.useRealTimers();
  void i18n.changeLanguage('en');
});

const session = (slow: number): LiveSession => ({ id: 's1', title: 'T', state: 'live', started_at: null, ended_at: null, host, chat_slow_seconds: slow });

function storeWith(slow: number, you: You = { username: 'g1', host: false }) {
  const store = makeStore();
  store.dispatch(live.snapshotReceived(snapshot({ session: session(slow), you })));
  return store;
}

/** The chat's composer, as the live room wires it: the box, the button, the wait. */
function Composer({ send }: { send: (c: Command) => Promise<unknown> }) {
  const sendChat = useSendChat(send);
  const wait = useChatWait();
  const [text, setText] = useState('');
  return (
    <form onSubmit={(e) => {
      e.preventDefault();
      if (wait.seconds > 0) return;
      sendChat(text).then(() => setText(''), () => undefined);
    }}>
      <input aria-label="message" value={text} onChange={(e) => setText(e.target.value)} />
      <ChatSendButton wait={wait.seconds} disabled={!text.trim()} />
    </form>
  );
}

describe('slow mode countdown', () => {
  it('disables the send button from the ack and counts down to the next message', async () => {
    vi.useFakeTimers();
    const store = storeWith(30);
    const send = vi.fn(async () => ({}));
    renderWithStore(<Composer send={send} />, { store });
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'hi' } });
    await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Send' })); });
    expect(send).toHaveBeenCalledWith({ type: 'chat', text: 'hi' });
    const button = screen.getByRole('button', { name: 'You can send in 0:30' });
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent('0:30');
    // The next message can be written meanwhile, but not sent.
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'again' } });
    act(() => { vi.advanceTimersByTime(10_000); });
    expect(screen.getByRole('button', { name: 'You can send in 0:20' })).toBeDisabled();
    fireEvent.submit(screen.getByLabelText('message'));
    expect(send).toHaveBeenCalledTimes(1);
    act(() => { vi.advanceTimersByTime(20_000); });
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  it("waits the server's retry_after_ms when a message is refused, and keeps the text", async () => {
    vi.useFakeTimers();
    const store = storeWith(300);
    const send = vi.fn(async () => { throw new CommandFailed('rate_limited', 'slow mode: one message every 300 seconds', 125_000); });
    renderWithStore(<Composer send={send} />, { store });
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'too soon' } });
    await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Send' })); });
    expect(screen.getByRole('button', { name: 'You can send in 2:05' })).toBeDisabled();
    expect(screen.getByLabelText('message')).toHaveValue('too soon');
  });

  it('lets the guest send at once when slow mode goes off, and never holds the team', async () => {
    vi.useFakeTimers();
    const store = storeWith(60);
    renderWithStore(<Composer send={async () => ({})} />, { store });
    act(() => { store.dispatch(live.chatSent(Date.now())); });
    expect(screen.getByRole('button', { name: 'You can send in 1:00' })).toBeDisabled();
    act(() => { store.dispatch(live.eventReceived({ type: 'session', seq: 11, session: session(0) })); });
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();

    const teamStore = storeWith(60, { username: 'g1', host: false, role: 'moderator' });
    teamStore.dispatch(live.chatSent(Date.now()));
    renderWithStore(<ChatSendButtonOf />, { store: teamStore });
    expect(screen.getByTestId('team-button')).toHaveTextContent('Send');
  });
});

function ChatSendButtonOf() {
  const wait = useChatWait();
  return <div data-testid="team-button"><ChatSendButton wait={wait.seconds} disabled={false} /></div>;
}

describe('slow mode notice', () => {
  it('tells guests and the team, in their language, and nothing when off', async () => {
    const store = storeWith(30);
    renderWithStore(<SlowModeNotice team={false} />, { store });
    expect(screen.getByRole('status')).toHaveTextContent('Slow mode: one message every 30 s');
    await act(async () => { await i18n.changeLanguage('ko'); });
    expect(screen.getByRole('status')).toHaveTextContent('슬로우 모드: 30초마다 메시지를 하나씩 보낼 수 있어요.');
    act(() => { store.dispatch(live.eventReceived({ type: 'session', seq: 11, session: session(300) })); });
    expect(screen.getByRole('status')).toHaveTextContent('5분마다');
    act(() => { store.dispatch(live.eventReceived({ type: 'session', seq: 12, session: session(0) })); });
    expect(screen.getByRole('status')).toBeEmptyDOMElement();
  });

  it('tells the team it is not held back', () => {
    renderWithStore(<SlowModeNotice team />, { store: storeWith(60) });
    expect(screen.getByRole('status')).toHaveTextContent('guests send one message every 1 min; the host and the team are not held back');
  });
});

describe('slow mode control', () => {
  it('sends set_slow_mode with the chosen interval and shows what the room says', async () => {
    const store = storeWith(0, { username: 'host', host: true });
    const send = vi.fn(async () => ({}));
    renderWithStore(<ToastProvider><SlowModeControl send={send} /></ToastProvider>, { store });
    const select = screen.getByRole('combobox', { name: 'Slow mode' });
    expect(select).toHaveValue('0');
    expect([...(select as HTMLSelectElement).options].map((o) => o.text)).toEqual(['Off', '10 s', '30 s', '1 min', '5 min']);
    fireEvent.change(select, { target: { value: '30' } });
    expect(send).toHaveBeenCalledWith({ type: 'set_slow_mode', seconds: 30 });
    expect(select).toHaveValue('30');
    act(() => { store.dispatch(live.eventReceived({ type: 'session', seq: 11, session: session(30) })); });
    expect(select).toHaveValue('30');
    // Someone else on the team turns it off: the control follows.
    act(() => { store.dispatch(live.eventReceived({ type: 'session', seq: 12, session: session(0) })); });
    expect(select).toHaveValue('0');
  });

  it('shows an interval set some other way, and says in a notification when the server refuses', async () => {
    const store = storeWith(45, { username: 'host', host: true });
    const send = vi.fn(async () => { throw new CommandFailed('forbidden', 'moderators only'); });
    renderWithStore(<ToastProvider><SlowModeControl send={send} /></ToastProvider>, { store });
    const select = screen.getByRole('combobox', { name: 'Slow mode' });
    expect(select).toHaveValue('45');
    expect(screen.getByRole('option', { name: '45 s' })).toBeInTheDocument();
    fireEvent.change(select, { target: { value: '10' } });
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent("You're not allowed to do that."));
    expect(select).toHaveValue('45');
  });
});
