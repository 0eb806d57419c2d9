import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { createShutdownPlan, getShutdownPlan, updateShutdownPlan } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { PlanForm } from '../../components/shutdown/PlanForm';
import { useUpsChoices } from '../../hooks/useUpsChoices';
import { draftFromPlan } from '../../lib/shutdownForm';
import type { PlanBody } from '../../lib/shutdownTypes';

/** /shutdown/new and /shutdown/:id/edit. */
export default function PlanEditorPage() {
  const { t } = useTranslation('shutdown');
  const param = useParams().id;
  const id = param === undefined ? null : Number(param);
  const navigate = useNavigate();
  const client = useQueryClient();
  const ups = useUpsChoices();
  const plan = useQuery({ queryKey: keys.shutdownPlan(id ?? 0), queryFn: () => getShutdownPlan(id!), enabled: id !== null });
  const save = useMutation({
    mutationFn: (body: PlanBody) => (id === null ? createShutdownPlan(body) : updateShutdownPlan(id, body)),
    onSuccess: (saved) => {
      client.setQueryData(keys.shutdownPlan(saved.id), saved);
      void client.invalidateQueries({ queryKey: keys.shutdownPlans });
      navigate(`/shutdown/${saved.id}`, { state: { notice: t('editor.saved', { name: saved.name }) } });
    },
  });

  const upsList = ups.data ?? [];
  const title = id === null ? t('editor.newTitle') : t('editor.editTitle', { name: plan.data?.name ?? '' });
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/shutdown">{t('list.title')}</Link> / {title}
      </p>
      <h1>{title}</h1>
      {ups.isError && <Notice kind="error" error={ups.error} />}
      {id !== null && plan.isPending && <Loading label={t('view.loading')} />}
      {id !== null && plan.isError && <Notice kind="error" error={plan.error} />}
      {(id === null || plan.data) && ups.data && (
        <PlanForm
          key={plan.data?.updated_at ?? 'new'}
          initial={plan.data ? draftFromPlan(plan.data) : undefined}
          upsList={upsList}
          submitLabel={id === null ? t('editor.create') : t('editor.save')}
          pending={save.isPending}
          error={save.error}
          onSubmit={(body) => save.mutate(body)}
          onCancel={() => navigate(id === null ? '/shutdown' : `/shutdown/${id}`)}
        />
      )}
    </div>
  );
}
