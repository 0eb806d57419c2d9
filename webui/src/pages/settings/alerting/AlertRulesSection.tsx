import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createAlertRule, listAlertRules, listEventKinds, listNotificationChannels } from '../../../api/endpoints';
import { keys } from '../../../api/keys';
import { useUpsChoices } from '../../../hooks/useUpsChoices';
import type { AlertRuleBody } from '../../../types';
import { AlertRuleForm } from '../../../components/alerting/AlertRuleForm';
import { AlertRuleRow } from '../../../components/alerting/AlertRuleRow';
import { Loading } from '../../../components/Loading';
import { Notice } from '../../../components/Notice';

/** Admin: the alert rules — which events of which UPS go to which shared channels. */
export default function AlertRulesSection() {
  const { t } = useTranslation('alerting');
  const client = useQueryClient();
  const eventKinds = useQuery({ queryKey: keys.eventKinds, queryFn: listEventKinds, staleTime: 10 * 60_000 });
  const rules = useQuery({ queryKey: keys.alertRules, queryFn: listAlertRules });
  const channels = useQuery({ queryKey: keys.channels('shared'), queryFn: () => listNotificationChannels('shared') });
  const ups = useUpsChoices();
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState('');
  const create = useMutation({
    mutationFn: (body: AlertRuleBody) => createAlertRule(body),
    onSuccess: (rule) => {
      void client.invalidateQueries({ queryKey: keys.alertRules });
      setAdding(false);
      setMessage(t('rules.added', { name: rule.name }));
    },
  });
  const failed = [eventKinds, rules, channels].find((q) => q.isError);
  const ready = eventKinds.data && rules.data && channels.data;
  const upsList = ups.data ?? [];

  return (
    <section className="panel wide-panel" aria-labelledby="rules-title">
      <div className="page-head">
        <h2 id="rules-title">{t('rules.title')}</h2>
        {ready && !adding && (
          <button
            type="button"
            onClick={() => {
              setAdding(true);
              setMessage('');
            }}
          >
            {t('rules.add')}
          </button>
        )}
      </div>
      <p className="muted small">{t('rules.intro')}</p>
      {failed && <Notice kind="error" error={failed.error} />}
      {!ready && !failed && <Loading label={t('rules.loading')} />}
      {message && <Notice kind="success">{message}</Notice>}
      {ready && adding && (
        <div className="panel">
          <AlertRuleForm
            eventKinds={eventKinds.data}
            channels={channels.data}
            upsList={upsList}
            submitLabel={t('rules.add')}
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
      {ready && rules.data.length === 0 && !adding && <p className="muted">{t('rules.none')}</p>}
      {ready && rules.data.length > 0 && (
        <ul className="rule-rows">
          {rules.data.map((r) => (
            <AlertRuleRow key={r.id} rule={r} eventKinds={eventKinds.data} channels={channels.data} upsList={upsList} />
          ))}
        </ul>
      )}
    </section>
  );
}
