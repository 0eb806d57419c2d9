import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { acknowledgeAlert } from '../api/endpoints';
import { keys } from '../api/keys';
import type { AlertItem } from '../types';
import { Notice } from './Notice';

/** "Acknowledge" with an optional note: reminders stop and everyone told hears who. */
export function AcknowledgeAlert({ alert }: { alert: AlertItem }) {
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
      <button type="button" className="button-secondary" onClick={() => setOpen(true)} aria-label={`Acknowledge ${alert.title}`}>
        Acknowledge
      </button>
    );
  }
  return (
    <form className="inline-form ack-form" onSubmit={submit} aria-label={`Acknowledge ${alert.title}`}>
      <input aria-label="Note (optional)" placeholder="Note (optional), e.g. on my way" maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} />
      <button type="submit" disabled={ack.isPending}>
        {ack.isPending ? 'Acknowledging…' : 'Confirm acknowledge'}
      </button>
      <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {ack.isError && <Notice kind="error" error={ack.error} />}
    </form>
  );
}
