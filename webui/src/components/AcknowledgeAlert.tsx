import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { acknowledgeAlert } from '../api/endpoints';
import { keys } from '../api/keys';
import type { AlertItem } from '../types';
import { Notice } from './Notice';

/** "Acknowledge" with an optional note: reminders stop and everyone told hears who. */
export function AcknowledgeAlert({ alert }: { alert: AlertItem }) {
  const { t } = useTranslation('alerts');
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const ack = useMutation({
    mutationFn: () => acknowledgeAlert(alert.id, note),
    onSuccess: (res) => {
      client.setQueryData<AlertItem[]>(keys.openAlerts, (list) => list?.map((a) => (a.id === res.alert.id ? res.alert : a)));
      void client.invalidateQueries({ queryKey: keys.openAlerts });
    },
    // Someone else was quicker (409): show who, from a fresh list.
    onError: () => void client.invalidateQueries({ queryKey: keys.openAlerts }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    ack.mutate();
  };
  if (!open) {
    return (
      <button type="button" className="button-secondary" onClick={() => setOpen(true)} aria-label={t('ackOf', { title: alert.title })}>
        {t('ack')}
      </button>
    );
  }
  return (
    <form className="inline-form ack-form" onSubmit={submit} aria-label={t('ackOf', { title: alert.title })}>
      <input aria-label={t('note')} placeholder={t('notePlaceholder')} maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="submit" disabled={ack.isPending}>
        {ack.isPending ? t('acking') : t('confirmAck')}
      </button>
      <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
        {t('common:actions.cancel')}
      </button>
      {ack.isError && <Notice kind="error" error={ack.error} />}
    </form>
  );
}
