import { beforeEach, describe, expect, it } from 'vitest';
import HotlinePage from '../src/pages/HotlinePage.vue';
import { answerPrompt, fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';
import { callOutcomeText } from '../src/format.js';

const openCase = {
  id: 4, elderId: 7, elderName: '王建国', stationId: 1, station: '幸福驿站', dutyPhone: '01062345678', status: 'Open',
  openedAt: '2026-11-30T01:05:00Z', closedAt: null, note: null, reached: 'emergency,person:duty:6s',
  calls: [{ who: '王大（儿子）', status: 'Delivered', reason: null, at: '2026-11-30T01:07:00Z' }, { who: '王二（女儿）', status: 'Queued', reason: '无人接听', at: null }],
};
const otherStation = { ...openCase, id: 5, elderName: '李秀英', stationId: 2, station: '和平驿站' };
const calls = [
  { id: 1, callId: 'c1', direction: 'Inbound', number: '13912345678', elderId: 7, elderName: '王建国', path: '9,1,emergency', outcome: 'emergency', startedAt: '2026-11-30T01:04:00Z', durationSeconds: 75 },
  { id: 2, callId: 'c2', direction: 'Outbound', number: '13900001111', elderId: 8, elderName: '张桂兰', path: '', outcome: 'not-answered:无人接听', startedAt: '2026-11-30T00:30:00Z', durationSeconds: 30 },
];

describe('HotlinePage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'Clerk', displayName: '王老师', stationId: 1 }));

  it('shows open emergencies first and lets the station record what it did', async () => {
    const requests = fakeApi({
      'GET /api/emergencies?status=Open': [200, [openCase, otherStation]],
      'GET /api/hotline/calls': [200, calls],
      'POST /api/emergencies/4/close': [204],
    });
    const { wrapper } = await mountAt('/hotline', HotlinePage);
    const table = wrapper.find('[data-test=emergencies]');
    expect(table.text()).toContain('王建国');
    expect(table.text()).toContain('01062345678');
    // Whom the hotline's call reached, and how each emergency contact's call went.
    expect(table.text()).toContain('紧急求助，接通驿站值班电话（等了6秒）');
    expect(table.text()).toContain('王大（儿子）：已确认收到');
    expect(table.text()).toContain('王二（女儿）：正在拨打');
    expect(wrapper.text()).toContain('未处理2条');
    // Only the elder's own station closes a case.
    expect(table.findAll('button').filter((b) => b.text() === '处理完毕')).toHaveLength(1);

    await table.findAll('button').find((b) => b.text() === '处理完毕').trigger('click');
    await answerPrompt('已上门，老人摔倒，已送医', '记下');

    expect(requests.find((r) => r.method === 'POST')).toMatchObject({ path: '/api/emergencies/4/close', body: { note: '已上门，老人摔倒，已送医' } });
    wrapper.unmount();
  });

  it('lists calls in and out with their outcome in words', async () => {
    fakeApi({ 'GET /api/emergencies?status=Open': [200, []], 'GET /api/hotline/calls': [200, calls] });
    const { wrapper } = await mountAt('/hotline', HotlinePage);
    const table = wrapper.find('[data-test=calls]');
    expect(table.text()).toContain('来电');
    expect(table.text()).toContain('紧急求助');
    expect(table.text()).toContain('去电');
    expect(table.text()).toContain('未接通（无人接听）');
    expect(table.text()).toContain('1分15秒');
    wrapper.unmount();
  });

  it('reads every kind of outcome the hotline records', () => {
    expect(callOutcomeText('booked:12,agent')).toBe('预约成功（单号12），转人工');
    expect(callOutcomeText('refused:elder-busy,cancelled:9')).toBe('未能预约，取消预约（单号9）');
    expect(callOutcomeText('not-delivered:接通但没有按键')).toBe('未确认（接通但没有按键）');
    expect(callOutcomeText('answered,agent')).toBe('已接听，转人工');
    expect(callOutcomeText('ended')).toBe('挂断');
    expect(callOutcomeText('booked:12,person:agent:4s')).toBe('预约成功（单号12），接通热线工作人员（等了4秒）');
    expect(callOutcomeText('no-person,callback')).toBe('没有人接听，已安排回电');
  });
});
