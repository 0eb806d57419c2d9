import type { NutServerRescan } from '../types';
import { Notice } from './Notice';

interface Props {
  /** The rescan's mutation state (`POST /api/nut-servers/:id/rescan`). */
  mutation: { isError: boolean; isSuccess: boolean; error: Error | null; data: NutServerRescan | undefined };
}

function names(label: string, list: string[]): string {
  return list.length ? ` ${label}: ${list.join(', ')}.` : '';
}

/** What a rescan found on the NUT server: added now, left alone (auto-add off or deleted), gone. */
export function RescanResult({ mutation }: Props) {
  if (mutation.isError) {
    return (
      <div data-testid="rescan-result">
        <Notice kind="error">Rescan failed: {mutation.error?.message}</Notice>
      </div>
    );
  }
  const data = mutation.isSuccess ? mutation.data : undefined;
  if (!data) return null;
  const text =
    `${data.message}.` +
    (data.found.length ? '' : ' The server answered but serves no UPS.') +
    names('Found', data.found) +
    names('Added', data.added.map((u) => u.upsName)) +
    names('Not added (auto-add is off, or deleted here)', data.notAdded) +
    names('No longer on the server (kept with their history)', data.missing);
  return (
    <div data-testid="rescan-result">
      <Notice kind={data.missing.length ? 'warning' : 'success'}>{text}</Notice>
    </div>
  );
}
