import { useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  /** What is deleted, for the buttons' names: "Delete <what>". */
  what: string;
  onConfirm: () => void;
  pending?: boolean;
}

/** "Delete", then "Delete <what>" / "Keep": nothing goes on one click. */
export function ConfirmDeleteButton({ what, onConfirm, pending = false }: Props) {
  const { t } = useTranslation('common');
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button-danger-outline" onClick={() => setConfirming(true)} aria-label={t('actions.deleteWhat', { what })}>
        {t('actions.delete')}
      </button>
    );
  }
  return (
    <>
      <button type="button" className="button-danger" onClick={onConfirm} disabled={pending}>
        {pending ? t('actions.deleting') : t('actions.deleteWhat', { what })}
      </button>
      <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
        {t('actions.keep')}
      </button>
    </>
  );
}
