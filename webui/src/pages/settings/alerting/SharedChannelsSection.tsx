import { useTranslation } from 'react-i18next';
import { ChannelList } from '../../../components/channels/ChannelList';

/** Admin: the shared channels alert rules send through. */
export default function SharedChannelsSection() {
  const { t } = useTranslation('alerting');
  return (
    <section className="panel wide-panel" aria-labelledby="shared-channels-title">
      <h2 id="shared-channels-title">{t('sections.channels')}</h2>
      <p className="muted small">{t('channelsIntro')}</p>
      <ChannelList scope="shared" />
    </section>
  );
}
