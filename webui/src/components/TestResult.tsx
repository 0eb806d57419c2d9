import { useTranslation } from 'react-i18next';
import type { NutTestResult } from '../types';
import { Notice } from './Notice';

interface Props {
  /** The test's mutation state (any TanStack mutation answering a NUT test). */
  mutation: { isError: boolean; isSuccess: boolean; error: Error | null; data: NutTestResult | undefined };
}

/** The outcome of a NUT "Test connection": the UPS found, or the reason it failed. */
export function TestResult({ mutation }: Props) {
  const { t } = useTranslation('system');
  if (mutation.isError) {
    // The API's message already says "Connection failed: …": shown as it comes, once.
    return (
      <div data-testid="test-result">
        <Notice kind="error">{mutation.error?.message || t('nutTest.failed')}</Notice>
      </div>
    );
  }
  if (!mutation.isSuccess || !mutation.data) return null;
  const found = (mutation.data.upsList ?? []).map((u: unknown) => (typeof u === 'string' ? u : String((u as { name?: string }).name ?? '')));
  return (
    <div data-testid="test-result">
      <Notice kind="success">
        {t('nutTest.ok')}{' '}
        {found.length ? t('nutTest.found', { names: found.join(', ') }) : t('nutTest.none')}
      </Notice>
    </div>
  );
}
