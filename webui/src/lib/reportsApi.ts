/** The Reports API calls, through the app's one fetch (it adds the Bearer token), and their query keys. */
import { request, type RawAnswer } from '../api/client';
import { exportFileName, type EnergySummary, type ExportFormat, type OutagePage, type TimelinePage } from './reports';

export const reportsKeys = {
  outages: (path: string) => ['reports', 'outages', path] as const,
  events: (path: string) => ['reports', 'events', path] as const,
  energy: (path: string) => ['reports', 'energy', path] as const,
};

export const getOutages = (path: string) => request<OutagePage>(path);
export const getFleetEvents = (path: string) => request<TimelinePage>(path);
export const getEnergy = (path: string) => request<EnergySummary>(path);

/** Hands `blob` to the browser as a download named `name`. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/**
 * Downloads an export: fetched with the session's token (a plain link would carry none) and saved under the
 * API's Content-Disposition name (else `fallback`). Answers the file name.
 */
export async function downloadExport(
  path: string,
  format: ExportFormat,
  fallback: { stem: string; from?: string | null; to?: string | null },
): Promise<string> {
  const answer = await request<RawAnswer>(path, { raw: true });
  // fetch's text() drops the CSV's byte-order mark; Excel needs it to read UTF-8.
  const body = format === 'csv' && !answer.text.startsWith('\ufeff') ? `\ufeff${answer.text}` : answer.text;
  const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
  const name = exportFileName(answer.headers.get('Content-Disposition'), fallback.stem, format, fallback.from, fallback.to);
  saveFile(new Blob([body], { type }), name);
  return name;
}
