import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import '../../styles/battery.css';
import { ACTIVE_TEST_STATES } from '../../lib/battery';
import { getBatteryLifecycle } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Loading } from '../Loading';
import { Notice } from '../Notice';
import { BatteryHealthPanel } from './BatteryHealthPanel';
import { BatteryLifecyclePanel } from './BatteryLifecyclePanel';
import { SelfTestsPanel } from './SelfTestsPanel';

interface Props {
  upsId: number;
  canEdit: boolean;
  /** operator or admin */
  canRunTest?: boolean;
}

/**
 * The UPS page's Battery tab: which battery is in and how old it is, its health estimate, and its
 * self-tests. One request (`…/battery/lifecycle` carries all three); refreshed every few seconds
 * while a test is under way, else every minute.
 */
export function BatteryTab({ upsId, canEdit, canRunTest = canEdit }: Props) {
  const { t } = useTranslation('battery');
  const query = useQuery({
    queryKey: keys.batteryLifecycle(upsId),
    queryFn: () => getBatteryLifecycle(upsId),
    refetchInterval: (q) => (q.state.data?.tests?.some((x) => ACTIVE_TEST_STATES.includes(x.state)) ? 3_000 : 60_000),
  });
  if (query.isPending) return <Loading label={t('loading')} />;
  if (query.isError && !query.data) return <Notice kind="error" error={query.error} />;
  const data = query.data;
  return (
    <div className="battery-tab" data-testid="battery-tab">
      {query.isError && <Notice kind="warning">{t('refreshFailed', { message: query.error.message })}</Notice>}
      <div className="battery-grid">
        <BatteryLifecyclePanel upsId={upsId} data={data} canEdit={canEdit} />
        <BatteryHealthPanel health={data.health} />
      </div>
      <SelfTestsPanel upsId={upsId} tests={data.tests ?? []} canRun={canRunTest} />
    </div>
  );
}
