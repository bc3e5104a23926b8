// The app's own dialogs, in place of the browser's confirm(): labelled by
// their title, the page behind them inert (so focus and screen readers stay
// inside), Tab cycling within, Escape or a click outside cancelling, and
// focus returning to whatever opened them.
import {
  createContext, useCallback, useContext, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface ModalProps {
  title: string;
  /** Said after the title, and read out as the dialog's description. */
  description?: ReactNode;
  onCancel: () => void;
  children: ReactNode;
}

/** A modal dialog. The element marked data-autofocus (else the first control) gets focus. */
export function Modal({ title, description, onCancel, children }: ModalProps) {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const app = document.getElementById('root');
    app?.setAttribute('inert', '');
    const el = box.current;
    (el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE) ?? el)?.focus();
    return () => {
      app?.removeAttribute('inert');
      if (opener?.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const items = Array.from(box.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && (document.activeElement === first || document.activeElement === box.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onCancel(); }}>
      <div ref={box} className="modal" role="dialog" aria-modal="true" aria-labelledby={titleId}
        aria-describedby={description ? bodyId : undefined} tabIndex={-1} onKeyDown={onKeyDown}>
        <h2 id={titleId} className="h3 modal-title">{title}</h2>
        {description && <div id={bodyId} className="modal-body">{description}</div>}
        {children}
      </div>
    </div>,
    document.body,
  );
}

export interface ConfirmOptions {
  title: string;
  body?: ReactNode;
  /** The label of the button that goes ahead. */
  confirm: string;
  /** Destructive: the button is red and Cancel has the focus. */
  danger?: boolean;
}

type Ask = (o: ConfirmOptions) => Promise<boolean>;

const ConfirmContext = createContext<Ask>(() => Promise.resolve(false));

/** Asks a yes-or-no question in a dialog; resolves true when confirmed. */
export function useConfirm(): Ask {
  return useContext(ConfirmContext);
}

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [asked, setAsked] = useState<(ConfirmOptions & { answer: (ok: boolean) => void }) | null>(null);
  const ask = useCallback<Ask>((o) => new Promise<boolean>((resolve) => {
    setAsked({ ...o, answer: resolve });
  }), []);
  const close = (ok: boolean) => {
    asked?.answer(ok);
    setAsked(null);
  };
  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      {asked && (
        <Modal title={asked.title} description={asked.body} onCancel={() => close(false)}>
          <div className="modal-actions">
            <button type="button" className="btn btn-ghost" data-autofocus={asked.danger ? true : undefined}
              onClick={() => close(false)}>{t('dialog.cancel')}</button>
            <button type="button" className={`btn ${asked.danger ? 'btn-danger-solid' : 'btn-primary'}`}
              data-autofocus={asked.danger ? undefined : true} onClick={() => close(true)}>{asked.confirm}</button>
          </div>
        </Modal>
      )}
    </ConfirmContext.Provider>
  );
}
