import { useTranslation } from 'react-i18next';
import { currentLocale } from '../../i18n';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteMaintenanceWindow } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { formatDateTime } from '../../lib/format';
import { daysText } from '../../lib/weekdays';
import type { MaintenanceWindow, Ups } from '../../types';
import { ConfirmDeleteButton } from '../ConfirmDeleteButton';
import { Notice } from '../Notice';

interface Props {
  window: MaintenanceWindow;
  upsList: Pick<Ups, 'id' | 'displayName'>[];
}

/** "90 min", "3 h" — Intl's short unit words of the chosen language. */
function duration(minutes: number): string {
  const [value, unit] = minutes < 60 || minutes % 60 ? [minutes, 'minute'] : [minutes / 60, 'hour'];
  return new Intl.NumberFormat(currentLocale(), { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}

/** One maintenance window as a table row, with whether it is open now. */
export function MaintenanceWindowRow({ window: w, upsList }: Props) {
  const { t } = useTranslation('alerting');
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteMaintenanceWindow(w.id),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.maintenanceWindows }),
  });
  const ups = w.upsId === null ? t('scope.every') : (upsList.find((u) => u.id === w.upsId)?.displayName ?? t('scope.upsN', { id: w.upsId }));
  return (
    <tr data-testid="window-row">
      <td>{ups}</td>
      <td>
        {t('maintenance.when', { days: daysText(w.days), start: w.start, timezone: w.timezone, duration: duration(w.minutes) })}
        {w.openUntil && (
          <div className="small tone-text-ok" data-testid="window-open">
            {t('maintenance.openUntil', { until: formatDateTime(w.openUntil) })}
          </div>
        )}
      </td>
      <td>{w.reason || <span className="muted">–</span>}</td>
      <td>
        <div className="button-row">
          <ConfirmDeleteButton what={t('maintenance.what', { id: w.id })} onConfirm={() => remove.mutate()} pending={remove.isPending} />
        </div>
        {remove.isError && <Notice kind="error" error={remove.error} />}
      </td>
    </tr>
  );
}
