import { ChannelList } from '../../../components/channels/ChannelList';

/** Admin: the shared channels alert rules send through. */
export default function SharedChannelsSection() {
  return (
    <section className="panel wide-panel" aria-labelledby="shared-channels-title">
      <h2 id="shared-channels-title">Shared channels</h2>
      <p className="muted small">Channels of the whole team (an ops room, a pager): alert rules send through them. Users' own channels stay theirs.</p>
      <ChannelList scope="shared" />
    </section>
  );
}
