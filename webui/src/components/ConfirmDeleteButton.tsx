import { useState } from 'react';

interface Props {
  /** What is deleted, for the buttons' names: "Delete <what>". */
  what: string;
  onConfirm: () => void;
  pending?: boolean;
}

/** "Delete", then "Delete <what>" / "Keep": nothing goes on one click. */
export function ConfirmDeleteButton({ what, onConfirm, pending = false }: Props) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button-danger-outline" onClick={() => setConfirming(true)} aria-label={`Delete ${what}`}>
        Delete
      </button>
    );
  }
  return (
    <>
      <button type="button" className="button-danger" onClick={onConfirm} disabled={pending}>
        {pending ? 'Deleting…' : `Delete ${what}`}
      </button>
      <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </>
  );
}
