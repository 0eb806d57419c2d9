import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { updateShutdownPlan } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { draftFromPlan, draftToBody } from '../../lib/shutdownForm';
import type { ShutdownPlan } from '../../lib/shutdownTypes';
import { Notice } from '../Notice';
import { Switch } from '../Switch';

interface Props {
  plan: ShutdownPlan;
}

/** Turn a plan on or off from the list: the plan as it is (secrets kept as `{"set": true}`), `enabled` changed. */
export function PlanEnabledSwitch({ plan }: Props) {
  const { t } = useTranslation('shutdown');
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (enabled: boolean) => updateShutdownPlan(plan.id, { ...draftToBody(draftFromPlan(plan)), enabled }),
    onSuccess: (saved) => {
      client.setQueryData(keys.shutdownPlan(saved.id), saved);
      // At once, so the switch does not flip back until the list is read again.
      client.setQueryData<ShutdownPlan[]>(keys.shutdownPlans, (list) => list?.map((x) => (x.id === saved.id ? saved : x)));
      void client.invalidateQueries({ queryKey: keys.shutdownPlans });
    },
  });
  return (
    <div>
      <Switch label={t('list.enabledOf', { name: plan.name })} checked={save.isPending ? !!save.variables : plan.enabled} disabled={save.isPending} onChange={(on) => save.mutate(on)} />
      {save.isError && <Notice kind="error" error={save.error} />}
    </div>
  );
}
