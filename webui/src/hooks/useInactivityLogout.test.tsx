// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { useInactivityLogout } from './useInactivityLogout';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Probe({ minutes, onTimeout }: { minutes: number | null; onTimeout: () => void }) {
  useInactivityLogout(minutes, onTimeout);
  return null;
}

describe('useInactivityLogout', () => {
  let root: Root;
  beforeEach(() => {
    vi.useFakeTimers();
    localStorage.clear();
    root = createRoot(document.createElement('div'));
  });
  afterEach(() => {
    act(() => root.unmount());
    vi.useRealTimers();
  });

  it('signs out after the timeout without activity', () => {
    const onTimeout = vi.fn();
    act(() => root.render(<Probe minutes={1} onTimeout={onTimeout} />));
    act(() => vi.advanceTimersByTime(45_000));
    expect(onTimeout).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(20_000));
    expect(onTimeout).toHaveBeenCalled();
  });

  it('activity postpones the sign-out', () => {
    const onTimeout = vi.fn();
    act(() => root.render(<Probe minutes={1} onTimeout={onTimeout} />));
    for (let i = 0; i < 6; i += 1) {
      act(() => vi.advanceTimersByTime(20_000));
      window.dispatchEvent(new Event('keydown'));
    }
    expect(onTimeout).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(61_000));
    expect(onTimeout).toHaveBeenCalled();
  });

  it('does nothing without a timeout (kiosk)', () => {
    const onTimeout = vi.fn();
    act(() => root.render(<Probe minutes={null} onTimeout={onTimeout} />));
    act(() => vi.advanceTimersByTime(10 * 60_000));
    expect(onTimeout).not.toHaveBeenCalled();
  });
});
