import { configureStore } from '@reduxjs/toolkit';
import { setupListeners } from '@reduxjs/toolkit/query';
import { api } from './api/api';
import { roomCacheSync } from './live/cacheSync';
import { liveReducer } from './live/liveSlice';

export function makeStore() {
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer, live: liveReducer },
    middleware: (gdm) => gdm().prepend(roomCacheSync.middleware).concat(api.middleware),
  });
  setupListeners(store.dispatch);
  return store;
}

export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];
