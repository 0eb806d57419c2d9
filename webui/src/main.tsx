import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import './i18n'; // before App: the first render already has its texts
import { App } from './App';
import { listUps } from './api/endpoints';
import { keys } from './api/keys';
import { getToken } from './api/session';
import { registerServiceWorker } from './lib/kioskServiceWorker';
import './styles.css';

const client = new QueryClient({
  defaultOptions: {
    queries: { retry: 1, staleTime: 5_000, refetchOnWindowFocus: true },
    mutations: { retry: 0 },
  },
});

// Production only: in dev it would cache Vite's modules.
if (import.meta.env.PROD) registerServiceWorker();

// A returning user lands on the dashboard: fetch its data while React starts.
if (getToken() && window.location.pathname === '/') void client.prefetchQuery({ queryKey: keys.upsList, queryFn: listUps });

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
