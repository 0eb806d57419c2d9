// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { getToken, setSession } from '../api/session';
import { buttonNamed, mount, startRecordingApi, typeInto, until, type RecordingApi } from '../test/harness';
import type { TwoFactorState } from '../types';
import { TwoFactor } from './TwoFactor';

let api: RecordingApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

const off: TwoFactorState = { enabled: false, pending: false, confirmedAt: null, recoveryCodesLeft: 0, required: true };

describe('two-factor sign-in', () => {
  it('sets up with the QR code, shows the recovery codes once and takes the unlimited token', async () => {
    setSession('enrolment-token', { id: 2, username: 'oscar', email: null, role: 'operator', isAdmin: false, totpEnrolmentRequired: true });
    let state = off;
    api = await startRecordingApi({
      'GET /api/auth/totp': () => ({ body: state }),
      'POST /api/auth/totp/enrol': { body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/PowerPulse:oscar?secret=JBSWY3DPEHPK3PXP', qrCode: 'data:image/svg+xml,%3Csvg%3E%3C/svg%3E' } },
      'POST /api/auth/totp/confirm': (req) => {
        if ((req.body as { code: string }).code !== '123456') return { status: 400, body: { message: 'That code is not right', error: 'totp_invalid', field: 'code' } };
        state = { ...off, enabled: true, confirmedAt: '2026-12-07T10:00:00Z', recoveryCodesLeft: 10 };
        return { body: { message: 'Two-factor sign-in is on', recoveryCodes: ['aaaa-bbbb-cccc', 'dddd-eeee-ffff'], token: 'full-token' } };
      },
    });
    const page = await mount(<TwoFactor />);
    await until(() => page.el.textContent?.includes('required for your role'), 'the policy notice');
    await act(async () => buttonNamed(page.el, 'Set up two-factor sign-in')!.click());
    const qr = await until(() => page.el.querySelector<HTMLImageElement>('img.two-factor-qr'), 'the QR code');
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(page.el.querySelector('[data-testid="totp-secret"]')!.textContent).toBe('JBSWY3DPEHPK3PXP');
    await typeInto(page.el.querySelector<HTMLInputElement>('input[name="totp-code"]')!, '000000');
    await act(async () => buttonNamed(page.el, 'Turn on')!.click());
    await until(() => page.el.textContent?.includes('That code is not right'), 'the refusal');
    await typeInto(page.el.querySelector<HTMLInputElement>('input[name="totp-code"]')!, '123456');
    await act(async () => buttonNamed(page.el, 'Turn on')!.click());
    const codes = await until(() => page.el.querySelector('[data-testid="recovery-codes"]'), 'the recovery codes');
    expect(codes.textContent).toContain('aaaa-bbbb-cccc');
    expect(getToken()).toBe('enrolment-token'); // held until the codes were read
    await act(async () => buttonNamed(page.el, 'Continue')!.click());
    expect(getToken()).toBe('full-token');
    await until(() => page.el.querySelector('[data-testid="two-factor-on"]'), 'the on state');
    expect(page.el.textContent).toContain('10 recovery codes left.');
    expect(page.el.textContent).not.toContain('Turn off'); // required by the policy: it stays on
    await page.unmount();
  });
});
