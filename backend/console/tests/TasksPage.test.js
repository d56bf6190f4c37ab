import { beforeEach, describe, expect, it } from 'vitest';
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
      'POST /api/deliveries/9/outcome': [200, { delivery: { ...task, status: 'Delivered' }, nextDelivery: null }],
    });
    const { wrapper } = await mountAt('/tasks', TasksPage);
    expect(wrapper.find('[data-test=tasks]').text()).toContain('王建国');
    expect(wrapper.find('[data-test=tasks]').text()).toContain('助浴改到周五');

    await wrapper.findAll('[data-test=tasks] button').find((b) => b.text() === '已告知').trigger('click');
    await answerPrompt('上门当面说了', '记下');

    expect(requests.find((r) => r.method === 'POST').body).toEqual({ delivered: true, note: '上门当面说了' });
  });
});
