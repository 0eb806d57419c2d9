import { describe, expect, it } from 'vitest';
import { daysText, weekdayNames } from './weekdays';

describe('weekdays (0 = Monday)', () => {
  it('names them from Monday', () => {
    expect(weekdayNames('short', 'en-US')).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });

  it('says runs of days in words', () => {
    const names = weekdayNames('short', 'en-US');
    expect(daysText([0, 1, 2, 3, 4], names)).toBe('Mon–Fri');
    expect(daysText([6, 5], names)).toBe('Sat, Sun');
    expect(daysText([0, 2, 3, 4, 6], names)).toBe('Mon, Wed–Fri, Sun');
    expect(daysText([0, 1, 2, 3, 4, 5, 6], names)).toBe('Every day');
  });
});
