interface Props {
  label?: string;
}

export function Loading({ label = 'Loading…' }: Props) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
