import { useTranslation } from 'react-i18next';

interface Props {
  label?: string;
}

export function Loading({ label }: Props) {
  const { t } = useTranslation('common');
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('state.loading')}
    </div>
  );
}
