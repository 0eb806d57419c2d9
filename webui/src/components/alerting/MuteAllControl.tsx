import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { muteUps, unmuteUps } from '../../api/endpoints';
import { applyMuteState } from '../../lib/mute';
import type { MuteState } from '../../types';
import { MuteForm } from '../MuteForm';
import { Notice } from '../Notice';

/** Admin: mute or unmute every UPS at once (low battery and FSD still go out). */
export function MuteAllControl() {
  const { t } = useTranslation('alerts');
  const client = useQueryClient();
  const onSuccess = (state: MuteState) => applyMuteState(client, null, state);
  const mute = useMutation({ mutationFn: (v: { minutes: number; reason: string }) => muteUps(null, v.minutes, v.reason), onSuccess });
  const unmute = useMutation({ mutationFn: () => unmuteUps(null), onSuccess });
  const done = mute.data ?? unmute.data;
  return (
    <div className="mute-all" data-testid="mute-all">
      <MuteForm submitLabel={t('mute.muteAll')} pending={mute.isPending} onSubmit={(minutes, reason) => mute.mutate({ minutes, reason })} />
      <button type="button" className="button-secondary" onClick={() => unmute.mutate()} disabled={unmute.isPending}>
        {unmute.isPending ? t('mute.unmuting') : t('mute.unmuteAll')}
      </button>
      {done && (
        <Notice kind="success">
          {done.message}
          {done.count != null ? ` (${t('common:ups', { count: done.count })})` : ''}
        </Notice>
      )}
      {mute.isError && <Notice kind="error" error={mute.error} />}
      {unmute.isError && <Notice kind="error" error={unmute.error} />}
    </div>
  );
}
