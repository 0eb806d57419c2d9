import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { muteUps, unmuteUps } from '../api/endpoints';
import { applyMuteState, isMuted } from '../lib/mute';
import type { Ups } from '../types';
import { MuteForm } from './MuteForm';
import { MutedNotice } from './MutedNotice';
import { Notice } from './Notice';

interface Props {
  ups: Pick<Ups, 'id' | 'displayName' | 'mutedUntil' | 'muteReason'>;
  /** Admins may mute and unmute; others only see the mute. */
  canMute: boolean;
}

/** A UPS's mute: shown to all, set or lifted by admins. Low battery and FSD still go out. */
export function MuteControl({ ups, canMute }: Props) {
  const { t } = useTranslation('alerts');
  const client = useQueryClient();
  const onSuccess = (state: Parameters<typeof applyMuteState>[2]) => applyMuteState(client, ups.id, state);
  const mute = useMutation({ mutationFn: (v: { minutes: number; reason: string }) => muteUps(ups.id, v.minutes, v.reason), onSuccess });
  const unmute = useMutation({ mutationFn: () => unmuteUps(ups.id), onSuccess });
  const muted = isMuted(ups.mutedUntil);
  if (!canMute && !muted) return null;
  return (
    <div className="mute-control" data-testid="mute-control">
      <MutedNotice ups={ups} />
      {canMute && muted && (
        <button type="button" className="button-secondary" onClick={() => unmute.mutate()} disabled={unmute.isPending} aria-label={t('mute.unmuteOf', { name: ups.displayName })}>
          {unmute.isPending ? t('mute.unmuting') : t('mute.unmute')}
        </button>
      )}
      {canMute && !muted && <MuteForm submitLabel={t('mute.muteOf', { name: ups.displayName })} pending={mute.isPending} onSubmit={(minutes, reason) => mute.mutate({ minutes, reason })} />}
      {mute.isError && <Notice kind="error" error={mute.error} />}
      {unmute.isError && <Notice kind="error" error={unmute.error} />}
    </div>
  );
}
