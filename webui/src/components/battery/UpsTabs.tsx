import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import '../../styles/battery.css';

export type UpsTab = 'overview' | 'battery';

/** The UPS page's tab, from `?tab=` (so the dashboard's warnings can link straight to the Battery tab). */
export function useUpsTab(): UpsTab {
  const [search] = useSearchParams();
  return search.get('tab') === 'battery' ? 'battery' : 'overview';
}

/** Overview | Battery, as links: each tab has its own URL and the back button works. */
export function UpsTabs({ tab }: { tab: UpsTab }) {
  const { t } = useTranslation('battery');
  const [search] = useSearchParams();
  const href = (to: UpsTab) => {
    const next = new URLSearchParams(search);
    if (to === 'overview') next.delete('tab');
    else next.set('tab', to);
    const q = next.toString();
    return q ? `?${q}` : '?';
  };
  const tabs: { to: UpsTab; label: string }[] = [
    { to: 'overview', label: t('overview') },
    { to: 'battery', label: t('tab') },
  ];
  return (
    <nav className="tabs ups-tabs" aria-label={t('tabsLabel')}>
      {tabs.map((x) => (
        <Link key={x.to} to={href(x.to)} className={tab === x.to ? 'active' : undefined} aria-current={tab === x.to ? 'page' : undefined} replace>
          {x.label}
        </Link>
      ))}
    </nav>
  );
}
