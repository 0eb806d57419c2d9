import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listUpsNutVariables } from '../api/endpoints';
import { keys } from '../api/keys';
import { usePollIntervalMs } from '../hooks/usePollInterval';
import { formatVariable } from '../lib/format';
import type { NutVariable } from '../types';
import { Loading } from './Loading';
import { Notice } from './Notice';
import '../styles/ups.css';

// Groups by the first part of the NUT name, in the order people look for them; anything else is "other".
const GROUPS = ['battery', 'input', 'output', 'ups', 'outlet', 'ambient', 'device', 'driver'] as const;
type Group = (typeof GROUPS)[number] | 'other';

function groupOf(name: string): Group {
  const head = name.split('.', 1)[0];
  return (GROUPS as readonly string[]).includes(head) ? (head as Group) : 'other';
}

export function groupVariables(variables: NutVariable[]): [Group, NutVariable[]][] {
  const by = new Map<Group, NutVariable[]>();
  for (const v of variables) {
    const g = groupOf(v.name);
    by.set(g, [...(by.get(g) ?? []), v]);
  }
  return [...GROUPS, 'other' as const].filter((g) => by.has(g)).map((g) => [g, by.get(g)!]);
}

/** One variable: its NUT name (upsd's description on hover) and its value for people (the raw value on hover). */
export function VariableRow({ variable: v }: { variable: NutVariable }) {
  return (
    <tr data-var={v.name}>
      <th
        scope="row"
        title={v.description ?? undefined}
        aria-description={v.description ?? undefined}
        className={v.description ? 'var-name has-desc' : 'var-name'}
      >
        {v.name}
      </th>
      <td title={v.value} className={`var-value var-${v.kind}`}>
        {formatVariable(v)}
      </td>
    </tr>
  );
}

/**
 * The UPS page's "Variables": every NUT variable of the last poll, grouped, formatted from the API's kinds.
 * `updated` is the UPS's `lastUpdated`: when the live stream brings a new poll, the table follows at once
 * instead of showing older values next to the live readings until its own refetch.
 */
export function VariableGroups({ upsId, updated }: { upsId: number; updated?: string | null }) {
  const { t } = useTranslation('ups');
  const pollMs = usePollIntervalMs();
  const query = useQuery({
    queryKey: keys.upsNutVariables(upsId),
    queryFn: () => listUpsNutVariables(upsId),
    refetchInterval: Math.max(pollMs, 5000),
  });
  const { refetch } = query;
  const seen = useRef(updated);
  useEffect(() => {
    if (seen.current === updated) return;
    seen.current = updated;
    void refetch();
  }, [updated, refetch]);
  const groups = groupVariables(query.data?.variables ?? []);
  return (
    <>
      <h2 id="vars-title">{t('vars.title')}</h2>
      {query.isPending && <Loading label={t('vars.loading')} />}
      {query.isError && <Notice kind="error" error={query.error} />}
      {query.isSuccess && groups.length === 0 && <p className="muted">{t('vars.empty')}</p>}
      {groups.map(([group, list]) => (
        <details key={group} className="panel var-group" open data-group={group}>
          <summary>
            <h3>{t(`vars.group.${group}`)}</h3> <span className="muted small">{t('vars.count', { count: list.length })}</span>
          </summary>
          <table className="vars">
            <tbody>
              {list.map((v) => (
                <VariableRow key={v.name} variable={v} />
              ))}
            </tbody>
          </table>
        </details>
      ))}
    </>
  );
}
