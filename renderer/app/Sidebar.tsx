import { useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import iconUrl from '../assets/icon.svg';
import { sections, useNavigation } from '../stores/navigation';

/** Section navigation; arrow keys move between sections as in any tab list. */
export function Sidebar() {
  const { t } = useTranslation();
  const { section, go } = useNavigation();
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const delta = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (!delta) return;
    event.preventDefault();
    buttons.current[(index + delta + sections.length) % sections.length]?.focus();
  };

  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <div className="brand">
        <img src={iconUrl} alt="" width={28} height={28} />
        <div>
          <div className="brand-name">{t('app.name')}</div>
          <div className="brand-tagline">{t('app.tagline')}</div>
        </div>
      </div>
      <ul>
        {sections.map((name, index) => (
          <li key={name}>
            <button
              ref={(el) => {
                buttons.current[index] = el;
              }}
              type="button"
              className="nav-item"
              data-testid={`nav-${name}`}
              aria-current={section === name ? 'page' : undefined}
              onClick={() => go(name)}
              onKeyDown={(event) => onKeyDown(event, index)}
            >
              {t(`nav.${name}`)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
