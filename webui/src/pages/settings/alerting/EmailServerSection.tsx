import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { forgetSmtpSettings, getSmtpSettings, saveSmtpSettings } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import type { SmtpSettings, SmtpSettingsBody } from '../../../types';
import { SmtpSettingsForm } from '../../../components/alerting/SmtpSettingsForm';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

/** Admin: the SMTP server behind every email channel (saved here, or the environment's). */
export default function EmailServerSection() {
  const client = useQueryClient();
  const smtp = useQuery({ queryKey: keys.smtpSettings, queryFn: getSmtpSettings });
  const update = (data: SmtpSettings) => client.setQueryData(keys.smtpSettings, data);
  const save = useMutation({ mutationFn: (body: SmtpSettingsBody) => saveSmtpSettings(body), onSuccess: update });
  const forget = useMutation({ mutationFn: forgetSmtpSettings, onSuccess: update });
  return (
    <section className="panel wide-panel" aria-labelledby="smtp-title">
      <h2 id="smtp-title">Email server</h2>
      <p className="muted small">
        Every email channel sends through this server. Use “Send test” on an email channel to check it.
      </p>
      {smtp.isPending && <Loading label="Loading the email server…" />}
      {smtp.isError && <Notice kind="error" error={smtp.error} />}
      {smtp.data && (
        <>
          <p>
            {smtp.data.source === 'settings'
              ? 'Saved here (it replaces the SMTP_* environment of the container).'
              : smtp.data.host
                ? 'From the SMTP_* environment of the container; saving here replaces it.'
                : 'Not configured: email channels cannot send until a server is saved here or set in SMTP_*.'}
          </p>
          {save.isSuccess && <Notice kind="success">Email server saved.</Notice>}
          <SmtpSettingsForm
            key={`${smtp.data.source}:${smtp.data.host}:${smtp.data.port}`}
            current={smtp.data}
            pending={save.isPending}
            error={save.error}
            onSubmit={(body) => save.mutate(body)}
          />
          {smtp.data.source === 'settings' && (
            <button type="button" className="button-secondary" disabled={forget.isPending} onClick={() => forget.mutate()}>
              Use the environment's server instead
            </button>
          )}
        </>
      )}
    </section>
  );
}
