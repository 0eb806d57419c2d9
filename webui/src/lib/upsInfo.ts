/** What identifies a UPS, read from the detail groups the API sends (not from guessed fields). */
import type { Details } from '../types';

interface WithDetails {
  model?: string | null;
  deviceDetails?: Details | null;
  upsDetails?: Details | null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** `device.serial`, else `ups.serial`: sent to signed-in users only (never to the kiosk). */
export function serialOf(ups: WithDetails): string | null {
  return text(ups.deviceDetails?.serial) ?? text(ups.upsDetails?.serial);
}

/** "APC Smart-UPS 1500": the manufacturer (when the model does not already start with it) and model. */
export function makeAndModel(ups: WithDetails): string | null {
  const mfr = text(ups.deviceDetails?.mfr) ?? text(ups.upsDetails?.mfr);
  const model = text(ups.model);
  if (mfr && model) return model.toLowerCase().startsWith(mfr.toLowerCase()) ? model : `${mfr} ${model}`;
  return model ?? mfr;
}
