/** The digest schedule and energy settings calls, with their TanStack Query keys. */
import { request } from '../../api/client';
import type { MessageResponse } from '../../types';
import type { DigestSchedule, DigestScheduleBody, DigestSent } from '../../lib/digestForm';
import type { EnergySettings, EnergyBody } from '../../lib/energySettings';

export const digestKeys = {
  schedules: ['digest-schedules'] as const,
  energy: ['energy-settings'] as const,
};

export const listDigestSchedules = () => request<DigestSchedule[]>('/api/digest-schedules');
export const createDigestSchedule = (body: DigestScheduleBody) => request<DigestSchedule>('/api/digest-schedules', { method: 'POST', body });
export const updateDigestSchedule = (id: number, body: DigestScheduleBody) =>
  request<DigestSchedule>(`/api/digest-schedules/${id}`, { method: 'PUT', body });
export const deleteDigestSchedule = (id: number) => request<MessageResponse>(`/api/digest-schedules/${id}`, { method: 'DELETE' });
export const sendDigestNow = (id: number) => request<DigestSent>(`/api/digest-schedules/${id}/send`, { method: 'POST' });

export const getEnergySettings = () => request<EnergySettings>('/api/system/energy');
export const saveEnergySettings = (body: EnergyBody) => request<EnergySettings>('/api/system/energy', { method: 'PUT', body });
