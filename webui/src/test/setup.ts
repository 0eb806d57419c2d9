// Every vitest file starts in English (the existing assertions are English), whatever the machine's locale.
import { i18n } from '../i18n';

void i18n.changeLanguage('en');
