import { useEffect, useRef } from 'react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { ConfirmProvider } from './components/Dialog';
import { Header } from './components/Header';
import { RequireAuth } from './components/RequireAuth';
import { ToastProvider } from './components/Toasts';
import { ErrorPage } from './components/ui';
import { useSessionEvents } from './events';
import { AdminPage } from './pages/Admin';
import { ArchivePage } from './pages/Archive';
import { AuthPage } from './pages/Auth';
import { LiveRoomPage } from './pages/LiveRoom';
import { MainPage } from './pages/Main';
import { MyPage } from './pages/MyPage';
import { ProfileEditPage } from './pages/ProfileEdit';
import { PublicProfilePage } from './pages/PublicProfile';
import { SessionDetailPage } from './pages/SessionDetail';
import { SessionFormPage } from './pages/SessionForm';

const notFound = { status: 404, code: 'not_found' };

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<MainPage />} />
      <Route path="/main" element={<MainPage />} />
      <Route path="/login" element={<AuthPage mode="login" />} />
      <Route path="/register" element={<AuthPage mode="register" />} />
      <Route path="/sessions/new" element={<RequireAuth><SessionFormPage /></RequireAuth>} />
      <Route path="/sessions/:id" element={<SessionDetailPage />} />
      <Route path="/sessions/:id/edit" element={<RequireAuth><SessionFormPage /></RequireAuth>} />
      <Route path="/sessions/:id/live" element={<RequireAuth><LiveRoomPage /></RequireAuth>} />
      <Route path="/sessions/:id/archive" element={<ArchivePage />} />
      <Route path="/me" element={<RequireAuth><MyPage /></RequireAuth>} />
      <Route path="/me/edit" element={<RequireAuth><ProfileEditPage /></RequireAuth>} />
      <Route path="/u/:username" element={<PublicProfilePage />} />
      <Route path="/admin" element={<RequireAuth><AdminPage /></RequireAuth>} />
      <Route path="*" element={<ErrorPage error={notFound} context="page" />} />
    </Routes>
  );
}

/** After a client-side navigation, move focus to the new page like a page load would. */
function useFocusOnNavigate() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [pathname]);
}

export function App() {
  useFocusOnNavigate();
  // Every page's cached sessions follow the server's session events.
  useSessionEvents();
  return (
    <ToastProvider>
      <ConfirmProvider>
        <Header />
        <main id="main" tabIndex={-1}>
          <AppRoutes />
        </main>
      </ConfirmProvider>
    </ToastProvider>
  );
}
