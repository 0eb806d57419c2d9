/** The energy settings form (power factor, tariff): its draft, validation mirroring
 * `powerpulse.energy.settings`, and the PUT body (only what changed, so a field an environment
 * variable sets is never sent back and refused). */
import { ApiError } from '../api/client';
import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type EnergySettings = Schemas['EnergySettings'];
export type Tariff = Schemas['Tariff'];
export type EnergyField = EnergySettings['locked'][number];
/** Partial tariff: the API takes either field alone (the generated body type wants both). */
export interface EnergyBody {
  powerFactor?: number | null;
  tariff?: Partial<Tariff>;
}

export const POWER_FACTOR_MIN = 0.3;
export const POWER_FACTOR_MAX = 1;
export const MAX_PRICE = 1_000_000;
export const ENERGY_FIELDS: EnergyField[] = ['powerFactor', 'pricePerKwh', 'currency'];
/** The variable that wins over each field (`ENV` in energy/settings.py). */
export const ENERGY_ENV: Record<EnergyField, string> = {
  powerFactor: 'POWER_FACTOR',
  pricePerKwh: 'ENERGY_PRICE_PER_KWH',
  currency: 'ENERGY_CURRENCY',
};

export interface EnergyDraft {
  powerFactor: string;
  /** Empty: no tariff (costs are not shown). */
  price: string;
  currency: string;
}

export const energyDraft = (s: EnergySettings): EnergyDraft => ({
  powerFactor: String(s.powerFactor),
  price: s.tariff.pricePerKwh == null ? '' : String(s.tariff.pricePerKwh),
  currency: s.tariff.currency,
});

/** Blank stays blank; a comma is taken as the decimal point (de/fr/es/it keyboards). */
const toNumber = (raw: string): number | null => (raw.trim() === '' ? null : Number(raw.trim().replace(',', '.')));

/** Field → i18n key (in `energy`) of what is wrong with the draft; empty when it may be sent. */
export function validateEnergy(d: EnergyDraft): Partial<Record<EnergyField, string>> {
  const out: Partial<Record<EnergyField, string>> = {};
  const pf = toNumber(d.powerFactor);
  if (pf === null || !Number.isFinite(pf) || pf < POWER_FACTOR_MIN || pf > POWER_FACTOR_MAX) out.powerFactor = 'errors.powerFactor';
  const price = toNumber(d.price);
  if (price !== null && (!Number.isFinite(price) || price < 0 || price > MAX_PRICE)) out.pricePerKwh = 'errors.price';
  if (!/^[A-Z]{3}$/.test(d.currency.trim().toUpperCase())) out.currency = 'errors.currency';
  return out;
}

/** The PUT body: the fields that differ from `current` and are not `locked`. */
export function energyBody(d: EnergyDraft, current: EnergySettings, locked: ReadonlySet<EnergyField> = new Set()): EnergyBody {
  const body: EnergyBody = {};
  const pf = toNumber(d.powerFactor);
  if (!locked.has('powerFactor') && pf !== current.powerFactor) body.powerFactor = pf;
  const tariff: Partial<Tariff> = {};
  const price = toNumber(d.price);
  if (!locked.has('pricePerKwh') && price !== current.tariff.pricePerKwh) tariff.pricePerKwh = price;
  const currency = d.currency.trim().toUpperCase();
  if (!locked.has('currency') && currency !== current.tariff.currency) tariff.currency = currency;
  if (Object.keys(tariff).length) body.tariff = tariff;
  return body;
}

/** The field a 400 names, as a form field ("tariff.currency" and "currency" alike). */
export function errorField(err: unknown): EnergyField | null {
  if (!(err instanceof ApiError) || !err.field) return null;
  const f = err.field.replace(/^tariff\./, '');
  return (ENERGY_FIELDS as string[]).includes(f) ? (f as EnergyField) : null;
}
