import { useTranslation } from 'react-i18next';
import type { NutServerRescan } from '../types';
import { Notice } from './Notice';

interface Props {
  /** The rescan's mutation state (`POST /api/nut-servers/:id/rescan`). */
  mutation: { isError: boolean; isSuccess: boolean; error: Error | null; data: NutServerRescan | undefined };
}

function names(label: string, list: string[]): string {
  return list.length ? ` ${label} ${list.join(', ')}.` : '';
}

/** What a rescan found on the NUT server: added now, left alone (auto-add off or deleted), gone. */
export function RescanResult({ mutation }: Props) {
  const { t } = useTranslation('servers');
  if (mutation.isError) {
    return (
      <div data-testid="rescan-result">
        <Notice kind="error">{t('rescanResult.failed', { message: mutation.error?.message })}</Notice>
      </div>
    );
  }
  const data = mutation.isSuccess ? mutation.data : undefined;
  if (!data) return null;
  const text =
    `${data.message}.` +
    (data.found.length ? '' : ` ${t('rescanResult.noUps')}`) +
    names(t('rescanResult.found'), data.found) +
    names(t('rescanResult.added'), data.added.map((u) => u.upsName)) +
    names(t('rescanResult.notAdded'), data.notAdded) +
    names(t('rescanResult.missing'), data.missing);
  return (
    <div data-testid="rescan-result">
      <Notice kind={data.missing.length ? 'warning' : 'success'}>{text}</Notice>
    </div>
  );
}
