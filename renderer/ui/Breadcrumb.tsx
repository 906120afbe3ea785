/** The way back to the page above this one ("← Back to chat-prod"). */
export function Breadcrumb({ label, navLabel, onBack, testId }: { label: string; navLabel: string; onBack(): void; testId: string }) {
  return (
    <nav className="breadcrumb" aria-label={navLabel}>
      <button type="button" className="link-button" data-testid={testId} onClick={onBack}>
        ← {label}
      </button>
    </nav>
  );
}
