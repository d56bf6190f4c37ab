import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import TasksPage from '../src/pages/TasksPage.vue';
import { answerPrompt, fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

const task = {
  id: 9, reminderId: 3, elderId: 7, recipientKind: 'Elder', recipientId: 7, channel: 'ConsoleTask', text: '明天上午的助浴改到周五了',
  status: 'Queued', createdAt: '2026-11-30T02:00:00Z', failReason: null, phone: null, elderName: '王建国',
};

describe('TasksPage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'Clerk', displayName: '王老师', stationId: 1 }));

  it('lists what could not reach the elder and records how it was followed up', async () => {
    const requests = fakeApi({
      'GET /api/deliveries?channel=ConsoleTask': [200, [task]],
      'GET /api/stations/1/refunds': [200, []],
      'POST /api/deliveries/9/outcome': [200, { delivery: { ...task, status: 'Delivered' }, nextDelivery: null }],
    });
    const { wrapper } = await mountAt('/tasks', TasksPage);
    expect(wrapper.find('[data-test=tasks]').text()).toContain('王建国');
    expect(wrapper.find('[data-test=tasks]').text()).toContain('助浴改到周五');

    await wrapper.findAll('[data-test=tasks] button').find((b) => b.text() === '已告知').trigger('click');
    await answerPrompt('上门当面说了', '记下');

    expect(requests.find((r) => r.method === 'POST').body).toEqual({ delivered: true, note: '上门当面说了' });
  });

  it('lists the refunds the station owes and records one handed back, then shows its slip', async () => {
    const owed = {
      id: 41, bookingId: 5, elderId: 7, elderName: '王建国', serviceName: '午餐', date: '2026-12-03', start: '11:00:00', method: 'Cash',
      amountFen: 1000, owedSince: '2026-12-02T02:00:00Z', settledAt: null, settledBy: null,
    };
    const requests = fakeApi({
      'GET /api/deliveries?channel=ConsoleTask': [200, []],
      'GET /api/stations/1/refunds': [200, [owed]],
      'POST /api/refunds/41/hand-over': [200, { paymentId: 41, kind: 'Refund', amountFen: -1000 }],
    });
    const { wrapper, router } = await mountAt('/tasks', TasksPage);
    const table = wrapper.find('[data-test=refunds]');
    expect(table.text()).toContain('王建国');
    expect(table.text()).toContain('¥10.00（现金）');

    await table.findAll('button').find((b) => b.text() === '已退还').trigger('click');
    await flushPromises();
    [...document.querySelectorAll('.el-message-box button')].find((b) => b.textContent.includes('已退还')).click();
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    await flushPromises();

    expect(requests.some((r) => r.method === 'POST' && r.path === '/api/refunds/41/hand-over')).toBe(true);
    expect(router.currentRoute.value.path).toBe('/receipts/41');
  });

  it('shows no refunds to a caregiver, who takes no money', async () => {
    session.set({ token: 'tk', role: 'Caregiver', displayName: '李护理', stationId: 1 });
    const requests = fakeApi({ 'GET /api/deliveries?channel=ConsoleTask': [200, []] });
    const { wrapper } = await mountAt('/tasks', TasksPage);
    expect(wrapper.find('[data-test=refunds]').exists()).toBe(false);
    expect(requests.map((r) => r.path)).toEqual(['/api/deliveries?channel=ConsoleTask']);
  });
});
