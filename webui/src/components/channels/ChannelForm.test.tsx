// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { act } from 'react';
import { ApiError } from '../../api/client';
import type { ChannelConfig } from '../../lib/channelConfig';
import { buttonNamed, controlLabelled, mount, typeInto } from '../../test/harness';
import { apiChannel, hookKind } from '../../test/channels';
import { ChannelForm, type ChannelFormValues } from './ChannelForm';

const noop = () => undefined;

async function submit(el: HTMLElement) {
  const form = el.querySelector('form')!;
  await act(async () => form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })));
}

describe('ChannelForm draws the kind descriptor', () => {
  it('has one input per field, of the field type, with defaults for a new channel', async () => {
    const page = await mount(<ChannelForm kind={hookKind} submitLabel="Add channel" pending={false} error={null} onSubmit={noop} />);
    const el = page.el;
    expect(controlLabelled(el, 'Name')!.value).toBe('Test hook');
    const url = controlLabelled(el, 'URL')!;
    expect(url.type).toBe('password'); // a secret
    expect(url.required).toBe(true);
    expect(url.placeholder).toBe('https://example.lan/hook');
    expect(controlLabelled(el, 'Topic')!.type).toBe('text');
    expect(el.textContent).toContain('Letters and digits');
    const server = controlLabelled(el, 'Server (optional)')!;
    expect(server.type).toBe('url');
    expect(server.value).toBe('https://push.example');
    expect(controlLabelled(el, 'Recipients (optional)')!.type).toBe('text');
    const method = controlLabelled<HTMLSelectElement>(el, 'Method (optional)')!;
    expect(method.tagName).toBe('SELECT');
    expect([...method.options].map((o) => o.value)).toEqual(['', 'POST', 'PUT']);
    expect(method.value).toBe('POST');
    expect(controlLabelled(el, 'Priority (optional)')!.type).toBe('number');
    expect(el.querySelector('[role="group"][aria-label="Headers"]')).not.toBeNull();
    expect(controlLabelled(el, 'Body template (optional)')!.tagName).toBe('TEXTAREA');
    expect(el.textContent).not.toContain('leave blank to keep');
    await page.unmount();
  });

  it('submits the config typed in, headers as an object and numbers as numbers', async () => {
    const sent: ChannelFormValues[] = [];
    const page = await mount(<ChannelForm kind={hookKind} submitLabel="Add channel" pending={false} error={null} onSubmit={(v) => sent.push(v)} />);
    const el = page.el;
    await typeInto(controlLabelled(el, 'Name')!, 'Ops hook');
    await typeInto(controlLabelled(el, 'URL')!, 'https://example.lan/hook/1');
    await typeInto(controlLabelled(el, 'Topic')!, ' ups ');
    await typeInto(controlLabelled<HTMLSelectElement>(el, 'Method (optional)')!, 'PUT');
    await typeInto(controlLabelled(el, 'Priority (optional)')!, '4');
    await act(async () => buttonNamed(el, 'Add header')!.click());
    await typeInto(el.querySelector<HTMLInputElement>('[aria-label="Headers 1: name"]')!, 'Authorization');
    await typeInto(el.querySelector<HTMLInputElement>('[aria-label="Headers 1: value"]')!, 'Bearer abc');
    await typeInto(controlLabelled<HTMLTextAreaElement>(el, 'Body template (optional)')!, '{{ title }}\n');
    await submit(el);
    expect(sent).toEqual([
      {
        name: 'Ops hook',
        config: {
          url: 'https://example.lan/hook/1',
          topic: 'ups',
          server: 'https://push.example',
          method: 'PUT',
          priority: 4,
          headers: { Authorization: 'Bearer abc' },
          body: '{{ title }}\n',
        },
      },
    ]);
    await page.unmount();
  });

  it('shows saved secrets as "saved — leave blank to keep" and leaves them out when untouched', async () => {
    const sent: ChannelConfig[] = [];
    const channel = apiChannel(5);
    const page = await mount(<ChannelForm kind={hookKind} channel={channel} submitLabel="Save" pending={false} error={null} onSubmit={(v) => sent.push(v.config)} />);
    const el = page.el;
    const url = controlLabelled(el, 'URL')!;
    expect(url.value).toBe('');
    expect(url.placeholder).toBe('saved — leave blank to keep');
    expect(url.required).toBe(false); // blank keeps the stored one
    expect(el.querySelector('[data-field="url"]')!.textContent).toContain('Saved — leave blank to keep.');
    expect(el.querySelector('[data-field="headers"]')!.textContent).toContain('Saved — leave blank to keep.');
    expect(controlLabelled(el, 'Topic')!.value).toBe('ups');
    expect(controlLabelled(el, 'Server (optional)')!.value).toBe(''); // not set on this channel
    await submit(el);
    expect(sent[0]).toEqual({ topic: 'ups', method: 'PUT' });
    expect(Object.keys(sent[0])).not.toContain('url');
    // A new value replaces the saved one; "Remove" clears an optional one.
    await typeInto(url, 'https://example.lan/new');
    await act(async () => buttonNamed(el, 'Remove the saved headers')!.click());
    await submit(el);
    expect(sent[1]).toEqual({ url: 'https://example.lan/new', topic: 'ups', method: 'PUT', headers: '' });
    await page.unmount();
  });

  it('shows the API error next to the field it names', async () => {
    const error = new ApiError(400, 'Topic is not valid', 'invalid_channel_config', null, { field: 'config.topic' });
    const page = await mount(<ChannelForm kind={hookKind} submitLabel="Add" pending={false} error={error} onSubmit={noop} />);
    const topic = page.el.querySelector('[data-field="topic"]')!;
    expect(topic.querySelector('[role="alert"]')?.textContent).toBe('Topic is not valid');
    expect(topic.querySelector('input')!.getAttribute('aria-invalid')).toBe('true');
    expect(page.el.querySelectorAll('[role="alert"]').length).toBe(1); // not repeated below the form
    await page.unmount();
  });
});
