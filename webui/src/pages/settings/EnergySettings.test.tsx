// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { buttonNamed, controlLabelled, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../../test/harness';
import type { EnergySettings as Answer } from '../../lib/energySettings';
import EnergySettings from './EnergySettings';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const ANSWER: Answer = { powerFactor: 0.8, tariff: { pricePerKwh: null, currency: 'EUR' }, locked: [] };
const SAVE = 'Save energy settings';
const save = async (el: HTMLElement) => act(async () => buttonNamed(el, SAVE)!.click());
const puts = () => api!.sent.filter((r) => r.method === 'PUT');

describe('energy settings', () => {
  it('sends the tariff typed (only what changed) and shows it kept', async () => {
    let current = ANSWER;
    api = await startRecordingApi({
      'GET /api/system/energy': () => ({ body: current }),
      'PUT /api/system/energy': (req) => {
        const body = req.body as { tariff: { pricePerKwh: number; currency: string } };
        current = { ...current, tariff: { ...current.tariff, ...body.tariff } };
        return { body: current };
      },
    });
    const page = await mount(<EnergySettings />);
    const price = await until(() => controlLabelled<HTMLInputElement>(page.el, 'Price per kWh'), 'the form');
    expect(controlLabelled<HTMLInputElement>(page.el, 'Power factor')!.value).toBe('0.8');
    expect(price.value).toBe('');
    expect(buttonNamed(page.el, SAVE)!.disabled).toBe(true); // nothing changed yet
    await typeInto(price, '0,32');
    await typeInto(controlLabelled<HTMLInputElement>(page.el, 'Currency')!, 'chf');
    await save(page.el);
    await until(() => page.el.textContent?.includes('Energy settings saved.'), 'saved');
    expect(puts().map((r) => r.body)).toEqual([{ tariff: { pricePerKwh: 0.32, currency: 'CHF' } }]);
    expect(controlLabelled<HTMLInputElement>(page.el, 'Price per kWh')!.value).toBe('0.32');
    expect(controlLabelled<HTMLInputElement>(page.el, 'Currency')!.value).toBe('CHF');
    await page.unmount();
  });

  it('shows the API’s complaint at the field it names', async () => {
    api = await startRecordingApi({
      'GET /api/system/energy': { body: ANSWER },
      'PUT /api/system/energy': { status: 400, body: { message: 'currency must be a 3-letter code such as EUR', error: 'validation_error', field: 'currency' } },
    });
    const page = await mount(<EnergySettings />);
    await typeInto(await until(() => controlLabelled<HTMLInputElement>(page.el, 'Currency'), 'the form'), 'USD');
    await save(page.el);
    const shown = await until(() => page.el.querySelector('[data-setting="currency"] .field-error'), 'the field error');
    expect(shown.textContent).toBe('currency must be a 3-letter code such as EUR');
    expect(page.el.querySelector('[data-setting="powerFactor"] .field-error')).toBeNull();
    await page.unmount();
  });

  it('checks the bounds before sending', async () => {
    api = await startRecordingApi({ 'GET /api/system/energy': { body: ANSWER } });
    const page = await mount(<EnergySettings />);
    await typeInto(await until(() => controlLabelled<HTMLInputElement>(page.el, 'Power factor'), 'the form'), '1.5');
    await save(page.el);
    const shown = await until(() => page.el.querySelector('[data-setting="powerFactor"] .field-error'), 'the field error');
    expect(shown.textContent).toBe('Enter a power factor between 0.3 and 1.');
    expect(puts()).toEqual([]);
    await page.unmount();
  });

  it('locks a field the environment sets: read-only with the variable named, never sent', async () => {
    api = await startRecordingApi({
      'GET /api/system/energy': { body: { ...ANSWER, powerFactor: 0.9, locked: ['powerFactor'] } },
      'PUT /api/system/energy': { body: { powerFactor: 0.9, tariff: { pricePerKwh: null, currency: 'USD' }, locked: ['powerFactor'] } },
    });
    const page = await mount(<EnergySettings />);
    const pf = await until(() => controlLabelled<HTMLInputElement>(page.el, 'Power factor'), 'the form');
    expect(pf.disabled).toBe(true);
    expect(pf.value).toBe('0.9');
    expect(page.el.querySelector('[data-setting="powerFactor"]')!.textContent).toContain('Set by the environment (POWER_FACTOR)');
    await typeInto(controlLabelled<HTMLInputElement>(page.el, 'Currency')!, 'USD');
    await save(page.el);
    await until(() => page.el.textContent?.includes('Energy settings saved.'), 'saved');
    expect(puts().map((r) => r.body)).toEqual([{ tariff: { currency: 'USD' } }]);
    expect(controlLabelled<HTMLInputElement>(page.el, 'Power factor')!.disabled).toBe(true); // still, after the save
    await page.unmount();
  });
});
