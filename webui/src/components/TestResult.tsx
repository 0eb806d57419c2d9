import type { NutTestResult } from '../types';
import { Notice } from './Notice';

interface Props {
  /** The test's mutation state (any TanStack mutation answering a NUT test). */
  mutation: { isError: boolean; isSuccess: boolean; error: Error | null; data: NutTestResult | undefined };
}

/** The outcome of a NUT "Test connection": the UPS found, or the reason it failed. */
export function TestResult({ mutation }: Props) {
  if (mutation.isError) {
    return (
      <div data-testid="test-result">
        <Notice kind="error">Connection failed: {mutation.error?.message}</Notice>
      </div>
    );
  }
  if (!mutation.isSuccess || !mutation.data) return null;
  const found = (mutation.data.upsList ?? []).map((u: unknown) => (typeof u === 'string' ? u : String((u as { name?: string }).name ?? '')));
  return (
    <div data-testid="test-result">
      <Notice kind="success">
        {mutation.data.message}.{' '}
        {found.length ? `UPS found: ${found.join(', ')}` : 'The server answered but serves no UPS.'}
      </Notice>
    </div>
  );
}
