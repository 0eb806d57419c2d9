import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

interface Props {
  kind: 'error' | 'success' | 'info' | 'warning';
  children?: ReactNode;
  error?: unknown;
}

/** A message box; errors are announced to screen readers. */
export function Notice({ kind, children, error }: Props) {
  const icon = { error: '✖', success: '✓', info: 'ℹ', warning: '⚠' }[kind];
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span aria-hidden="true">{icon}</span>
      <span>{error !== undefined ? errorMessage(error) : children}</span>
    </div>
  );
}
