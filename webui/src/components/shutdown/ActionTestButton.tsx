import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { testShutdownAction } from '../../api/endpoints';
import { formatDuration, formatNumber } from '../../lib/format';
import { Notice } from '../Notice';

interface Props {
  planId: number;
  actionId: string;
  /** For the button's name: "Test <what>". */
  what: string;
}

/** Run one action now; a destructive one asks first (the API's 409 says why). */
export function ActionTestButton({ planId, actionId, what }: Props) {
  const { t } = useTranslation('shutdown');
  const [confirmText, setConfirmText] = useState('');
  const test = useMutation({
    mutationFn: (confirm: boolean) => testShutdownAction(planId, actionId, confirm),
    onMutate: () => setConfirmText(''),
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409 && err.code === 'confirmation_required') setConfirmText(err.message);
    },
  });
  const result = test.data;
  const askedConfirm = test.error instanceof ApiError && test.error.code === 'confirmation_required';
  return (
    <div className="action-test">
      <button type="button" className="button-secondary" disabled={test.isPending} onClick={() => test.mutate(false)} aria-label={t('test.buttonWhat', { what })}>
        {test.isPending ? t('test.running') : t('test.button')}
      </button>
      {confirmText && (
        <div className="panel confirm-box" role="alertdialog" aria-label={t('test.confirmTitle')}>
          <p>{confirmText}</p>
          <div className="button-row">
            <button type="button" className="button-danger" onClick={() => test.mutate(true)}>
              {t('test.confirmRun', { what })}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirmText('')}>
              {t('common:actions.cancel')}
            </button>
          </div>
        </div>
      )}
      {test.isError && !askedConfirm && <Notice kind="error" error={test.error} />}
      {result && (
        <div className="test-result" data-testid="action-test-result">
          <Notice kind={result.ok ? 'success' : 'error'}>
            {result.ok ? t('test.ok') : t('test.failed', { error: result.error ?? '' })}
            {result.exit_code !== null && ` · ${t('test.exitCode', { code: formatNumber(result.exit_code) })}`}
            {result.duration_ms !== null && ` · ${formatDuration(result.duration_ms / 1000)}`}
          </Notice>
          {result.output && <pre className="run-output">{result.output}</pre>}
        </div>
      )}
    </div>
  );
}
