import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createMaintenanceWindow, listMaintenanceWindows } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import { useUpsChoices } from '../../../hooks/useUpsChoices';
import type { MaintenanceWindowBody } from '../../../types';
import { MaintenanceWindowForm } from '../../../components/alerting/MaintenanceWindowForm';
import { MaintenanceWindowRow } from '../../../components/alerting/MaintenanceWindowRow';
import { MuteAllControl } from '../../../components/alerting/MuteAllControl';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

/** Admin: weekly maintenance windows, and muting every UPS now. */
export default function MaintenanceSection() {
  const { t } = useTranslation('alerting');
  const client = useQueryClient();
  const windows = useQuery({ queryKey: keys.maintenanceWindows, queryFn: listMaintenanceWindows, refetchInterval: 60_000 });
  const ups = useUpsChoices();
  const [adding, setAdding] = useState(false);
  const create = useMutation({
    mutationFn: (body: MaintenanceWindowBody) => createMaintenanceWindow(body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.maintenanceWindows });
      setAdding(false);
    },
  });
  const upsList = ups.data ?? [];
  return (
    <>
      <section className="panel wide-panel" aria-labelledby="windows-title">
        <div className="page-head">
          <h2 id="windows-title">{t('maintenance.title')}</h2>
          {!adding && (
            <button type="button" onClick={() => setAdding(true)}>
              {t('maintenance.add')}
            </button>
          )}
        </div>
        <p className="muted small">{t('maintenance.intro')}</p>
        {adding && (
          <div className="panel">
            <MaintenanceWindowForm
              upsList={upsList}
              pending={create.isPending}
              error={create.error}
              onSubmit={(body) => create.mutate(body)}
              onCancel={() => {
                setAdding(false);
                create.reset();
              }}
            />
          </div>
        )}
        {windows.isPending && <Loading label={t('maintenance.loading')} />}
        {windows.isError && <Notice kind="error" error={windows.error} />}
        {windows.data && windows.data.length === 0 && <p className="muted">{t('maintenance.none')}</p>}
        {windows.data && windows.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('notifications:history.ups')}</th>
                  <th scope="col">{t('notifications:history.when')}</th>
                  <th scope="col">{t('alerts:mute.reason')}</th>
                  <th scope="col">{t('settings:users.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {windows.data.map((w) => (
                  <MaintenanceWindowRow key={w.id} window={w} upsList={upsList} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel wide-panel" aria-labelledby="mute-all-title">
        <h2 id="mute-all-title">{t('alerts:mute.muteAll')}</h2>
        <p className="muted small">{t('maintenance.muteAllIntro')}</p>
        <MuteAllControl />
      </section>
    </>
  );
}
