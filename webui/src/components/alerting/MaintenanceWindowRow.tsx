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

function duration(minutes: number): string {
  if (minutes < 60 || minutes % 60) return `${minutes} min`;
  return `${minutes / 60} h`;
}

/** One maintenance window as a table row, with whether it is open now. */
export function MaintenanceWindowRow({ window: w, upsList }: Props) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteMaintenanceWindow(w.id),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.maintenanceWindows }),
  });
  const ups = w.upsId === null ? 'Every UPS' : (upsList.find((u) => u.id === w.upsId)?.displayName ?? `UPS #${w.upsId}`);
  return (
    <tr data-testid="window-row">
      <td>{ups}</td>
      <td>
        {daysText(w.days)} at {w.start} ({w.timezone}) for {duration(w.minutes)}
        {w.openUntil && (
          <div className="small tone-text-ok" data-testid="window-open">
            Open now, until {formatDateTime(w.openUntil)}
          </div>
        )}
      </td>
      <td>{w.reason || <span className="muted">–</span>}</td>
      <td>
        <div className="button-row">
          <ConfirmDeleteButton what={`window ${w.id}`} onConfirm={() => remove.mutate()} pending={remove.isPending} />
        </div>
        {remove.isError && <Notice kind="error" error={remove.error} />}
      </td>
    </tr>
  );
}
