// Notifications: a short line saying what just happened (or what failed),
// in a corner of the screen, read out by screen readers, gone after a few
// seconds unless the pointer or focus is on it. A notification keeps what
// to say (a message key, or the error itself), not the words, so it reads
// in the current language even after a switch.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { problemMessage, type ErrorContext } from '../errors';

type Said =
  | { key: string; values?: Record<string, unknown> }
  | { error: unknown; context?: ErrorContext };

interface Note {
  id: number;
  kind: 'success' | 'error';
  said: Said;
}

export interface Notify {
  /** Something worked: a message key and its values. */
  success(key: string, values?: Record<string, unknown>): void;
  /** Something did not work, said by a message key. */
  failure(key: string, values?: Record<string, unknown>): void;
  /** The server (or the network) refused: the error itself. */
  error(error: unknown, context?: ErrorContext): void;
}

/** How long a notification stays, in ms. */
const LIFETIME = { success: 6000, error: 9000 };

const NotifyContext = createContext<Notify>({ success: () => undefined, failure: () => undefined, error: () => undefined });

export function useNotify(): Notify {
  return useContext(NotifyContext);
}

let nextId = 0;

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [notes, setNotes] = useState<Note[]>([]);
  const push = useCallback((kind: Note['kind'], said: Said) => {
    // The same line twice in a row is said once.
    setNotes((ns) => [...ns.filter((n) => JSON.stringify(n.said) !== JSON.stringify(said)), { id: ++nextId, kind, said }].slice(-4));
  }, []);
  const [notify] = useState<Notify>(() => ({
    success: (key, values) => push('success', { key, values }),
    failure: (key, values) => push('error', { key, values }),
    error: (error, context) => push('error', { error, context }),
  }));
  const dismiss = useCallback((id: number) => setNotes((ns) => ns.filter((n) => n.id !== id)), []);
  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <div className="toasts" aria-live="polite">
        {notes.length > 0 && (
          <section aria-label={t('toast.region')}>
            {notes.map((n) => <Toast key={n.id} note={n} onDismiss={dismiss} />)}
          </section>
        )}
      </div>
    </NotifyContext.Provider>
  );
}

function Toast({ note, onDismiss }: { note: Note; onDismiss: (id: number) => void }) {
  const { t } = useTranslation();
  const [held, setHeld] = useState(false);
  const left = useRef(LIFETIME[note.kind]);
  useEffect(() => {
    if (held) return;
    const started = Date.now();
    const timer = setTimeout(() => onDismiss(note.id), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1500, left.current - (Date.now() - started));
    };
  }, [held, note.id, onDismiss]);
  const text = 'key' in note.said ? t(note.said.key, note.said.values) : problemMessage(t, note.said.error, note.said.context);
  return (
    <div className={`toast toast-${note.kind}`} role={note.kind === 'error' ? 'alert' : 'status'}
      onMouseEnter={() => setHeld(true)} onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)} onBlur={() => setHeld(false)}>
      <span className="toast-icon" aria-hidden="true">{note.kind === 'error' ? '!' : '✓'}</span>
      <p>{text}</p>
      <button type="button" className="toast-close" aria-label={t('toast.close')} onClick={() => onDismiss(note.id)}>×</button>
    </div>
  );
}
