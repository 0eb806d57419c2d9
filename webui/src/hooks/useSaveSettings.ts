import { useMutation, useQueryClient } from '@tanstack/react-query';
import { saveSettings } from '../api/endpoints';
import { keys } from '../api/keys';
import type { UserSettings, UserSettingsInput } from '../types';

/** Saves part of the user's settings; the cache takes what the server answered (no snap-back). */
export function useSaveSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UserSettingsInput) => saveSettings(patch),
    onSuccess: (res) => {
      const { message: _message, ...settings } = res;
      client.setQueryData(keys.settings, (old: UserSettings | undefined) => ({ ...(old ?? {}), ...settings }) as UserSettings);
      void client.invalidateQueries({ queryKey: keys.settings });
      // The Discord/Slack/email fields are kept as personal channels: their list changes too.
      void client.invalidateQueries({ queryKey: keys.channelsAll });
    },
  });
}
