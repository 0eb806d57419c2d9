import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getVersionDetails } from '../../api/endpoints';
import { keys } from '../../api/keys';
import { Loading } from '../../components/Loading';
import { Notice } from '../../components/Notice';
import { UpdatePanel } from '../../components/UpdatePanel';
import { useSession } from '../../hooks/useSession';

export default function AboutSettings() {
  // With the token: admins get the image and self-update details the public answer leaves out.
  const { t } = useTranslation('settings');
  const version = useQuery({ queryKey: keys.versionDetails, queryFn: getVersionDetails, staleTime: 60_000 });
  const { isAdmin } = useSession();
  return (
    <>
      <section className="panel settings-form" aria-labelledby="about-title">
        <h2 id="about-title">{t('tabs.about')}</h2>
        {version.isPending && <Loading />}
        {version.isError && <Notice kind="error" error={version.error} />}
        <dl className="metrics">
          <div className="metric">
            <dt>{t('about.application')}</dt>
            <dd>PowerPulse</dd>
          </div>
          <div className="metric">
            <dt>{t('about.version')}</dt>
            <dd data-testid="version">{version.data?.version ?? '–'}</dd>
          </div>
          <div className="metric">
            <dt>{t('about.license')}</dt>
            <dd>MIT</dd>
          </div>
        </dl>
      </section>
      {isAdmin && <UpdatePanel version={version.data} />}
    </>
  );
}
