import { useTranslation } from 'react-i18next';

interface Props {
  theme: 'dark' | 'light';
  onToggle: () => void;
}

export function ThemeToggle({ theme, onToggle }: Props) {
  const { t } = useTranslation('nav');
  const label = theme === 'dark' ? t('theme.toLight') : t('theme.toDark');
  return (
    <button type="button" className="icon-button" onClick={onToggle} aria-label={label} title={label}>
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      <span className="hide-narrow">{theme === 'dark' ? t('theme.light') : t('theme.dark')}</span>
    </button>
  );
}
