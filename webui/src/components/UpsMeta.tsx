import { useTranslation } from 'react-i18next';
import type { Ups } from '../types';
import { useNutServer } from '../hooks/useNutServer';
import { useSession } from '../hooks/useSession';
import { makeAndModel, serialOf } from '../lib/upsInfo';

interface Props {
  ups: Ups;
}

/**
 * "APC Smart-UPS 1500 · S/N AS0915123456 · NUT 10.0.0.5:3493": what the UPS is, its serial
 * (the API sends it to signed-in users only) and, for admins, the NUT server it is polled from.
 * Never used on the kiosk.
 */
export function UpsMeta({ ups }: Props) {
  const { t } = useTranslation('upsPage');
  const { isAdmin } = useSession();
  const server = useNutServer(ups.nutServerId, isAdmin);
  const serial = isAdmin ? serialOf(ups) : null;
  return (
    <>
      <span data-testid="ups-model">{makeAndModel(ups) ?? t('meta.modelUnknown')}</span>
      {serial && (
        <>
          {' · '}
          <span data-testid="ups-serial">{t('meta.serial', { serial })}</span>
        </>
      )}
      {server && (
        <>
          {' · '}
          <span data-testid="ups-server">
            NUT {server.host}:{server.port}
          </span>
        </>
      )}
    </>
  );
}
