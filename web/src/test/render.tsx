import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { Provider } from 'react-redux';
import { MemoryRouter } from 'react-router-dom';
import { makeStore } from '../store';

export function renderWithStore(ui: ReactElement, { route = '/' as string | { pathname: string; state?: unknown }, store = makeStore() } = {}) {
  return {
    store,
    ...render(
      <Provider store={store}>
        <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
      </Provider>,
    ),
  };
}

type Handler = (req: Request) => Response | Promise<Response>;

/** A fetch stub that records requests and answers from a handler. */
export function stubFetch(handler: Handler) {
  const calls: Request[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    calls.push(req.clone());
    return handler(req);
  };
  return { fn, calls };
}

export function json(body: unknown, status = 200, type = 'application/json') {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

export function problem(status: number, code: string, detail: string, errors?: { field: string; message: string }[]) {
  return json({ type: 'about:blank', title: code, status, detail, code, errors }, status, 'application/problem+json');
}
