import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { energyBody, energyDraft, errorField, validateEnergy, type EnergySettings } from './energySettings';

const CURRENT: EnergySettings = { powerFactor: 0.8, tariff: { pricePerKwh: null, currency: 'EUR' }, locked: [] };
const draft = (over: Partial<ReturnType<typeof energyDraft>>) => ({ ...energyDraft(CURRENT), ...over });
const en = JSON.parse(readFileSync(new URL('../i18n/locales/en/energy.json', import.meta.url), 'utf8')) as { errors: Record<string, string> };

describe('energy settings body', () => {
  it('sends nothing when nothing changed, and only what changed otherwise', () => {
    expect(energyDraft(CURRENT)).toEqual({ powerFactor: '0.8', price: '', currency: 'EUR' });
    expect(energyBody(energyDraft(CURRENT), CURRENT)).toEqual({});
    expect(energyBody(draft({ price: '0,25' }), CURRENT)).toEqual({ tariff: { pricePerKwh: 0.25 } });
    expect(energyBody(draft({ currency: ' chf ' }), CURRENT)).toEqual({ tariff: { currency: 'CHF' } });
    expect(energyBody(draft({ powerFactor: '0.95', price: '0.3' }), CURRENT)).toEqual({ powerFactor: 0.95, tariff: { pricePerKwh: 0.3 } });
  });

  it('clears the tariff with an empty price, and leaves environment-set fields out', () => {
    const priced = { ...CURRENT, tariff: { pricePerKwh: 0.3, currency: 'EUR' } };
    expect(energyBody(draft({ price: '  ' }), priced)).toEqual({ tariff: { pricePerKwh: null } });
    expect(energyBody(draft({ powerFactor: '0.9', currency: 'USD' }), CURRENT, new Set(['powerFactor']))).toEqual({ tariff: { currency: 'USD' } });
  });
});

describe('energy settings validation (as energy/settings.py)', () => {
  it.each([
    [{ powerFactor: '0.3' }, {}],
    [{ powerFactor: '1' }, {}],
    [{ powerFactor: '0.29' }, { powerFactor: 'errors.powerFactor' }],
    [{ powerFactor: '1.01' }, { powerFactor: 'errors.powerFactor' }],
    [{ powerFactor: '' }, { powerFactor: 'errors.powerFactor' }],
    [{ powerFactor: 'x' }, { powerFactor: 'errors.powerFactor' }],
    [{ price: '0' }, {}],
    [{ price: '1000000' }, {}],
    [{ price: '-0.1' }, { pricePerKwh: 'errors.price' }],
    [{ price: '1000001' }, { pricePerKwh: 'errors.price' }],
    [{ price: 'abc' }, { pricePerKwh: 'errors.price' }],
    [{ currency: 'eur' }, {}],
    [{ currency: 'EU' }, { currency: 'errors.currency' }],
    [{ currency: 'EURO' }, { currency: 'errors.currency' }],
  ])('%j → %j', (over, expected) => {
    expect(validateEnergy(draft(over))).toEqual(expected);
  });

  it('names only keys that have an English text', () => {
    const keys = Object.values(validateEnergy({ powerFactor: '9', price: '-1', currency: '1' }));
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(en.errors[k.replace('errors.', '')]).toBeTruthy();
  });
});

describe('energy settings errors', () => {
  it('maps the API field to the form field', () => {
    const bad = new ApiError(400, 'tariff.currency is not valid', 'validation_error', null, { field: 'tariff.currency' });
    expect(errorField(bad)).toBe('currency');
    expect(errorField(new ApiError(400, 'x', 'validation_error', null, { field: 'body' }))).toBeNull();
    expect(errorField(new Error('boom'))).toBeNull();
  });
});
