import { Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import '../../styles/shutdown.css';
import { Notice } from '../../components/Notice';
import { useSession } from '../../hooks/useSession';
import PlanEditorPage from './PlanEditorPage';
import PlanViewPage from './PlanViewPage';
import RunPage from './RunPage';
import ShutdownPlansPage from './ShutdownPlansPage';

/** /shutdown/*: plans, their editor and view, and runs (admins only). */
export default function ShutdownRoutes() {
  const { t } = useTranslation('shutdown');
  const { isAdmin } = useSession();
  if (!isAdmin) {
    return (
      <div className="page">
        <Notice kind="info">{t('adminOnly')}</Notice>
      </div>
    );
  }
  return (
    <Routes>
      <Route index element={<ShutdownPlansPage />} />
      <Route path="new" element={<PlanEditorPage />} />
      <Route path="runs/:id" element={<RunPage />} />
      <Route path=":id" element={<PlanViewPage />} />
      <Route path=":id/edit" element={<PlanEditorPage />} />
    </Routes>
  );
}
