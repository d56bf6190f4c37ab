import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import StationPage from '../src/pages/StationPage.vue';
import { fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

const caregiver = { id: 4, stationId: 1, name: '王芳', phone: '13911110000', canBathe: false, isActive: true, upcomingVisits: 2 };

describe('StationPage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'StationManager', displayName: '张站长', stationId: 1 }));

  it("shows the manager a caregiver's one-time WeChat code to type into the mini-program", async () => {
    const requests = fakeApi({
      'GET /api/catalog': [200, []],
      'GET /api/stations': [200, [{ id: 1, name: '学院路第一驿站', address: '学院路1号' }]],
      'GET /api/stations/1/caregivers': [200, [caregiver]],
      'GET /api/stations/1/slot-templates': [200, []],
      'GET /api/stations/1/closures': [200, []],
      'GET /api/stations/1/resources': [200, []],
      'POST /api/caregivers/4/wechat-code': [200, { code: 'K7M2Q9XA', expiresAt: '2026-12-04T02:10:00Z', caregiverName: '王芳' }],
    });
    const { wrapper } = await mountAt('/station', StationPage);
    await flushPromises();
    await wrapper.find('[data-test=wechat-code-4]').trigger('click');
    await flushPromises();
    expect(requests.some((r) => r.method === 'POST' && r.path === '/api/caregivers/4/wechat-code')).toBe(true);
    expect(document.querySelector('.el-message-box').textContent).toContain('K7M2Q9XA');
    expect(document.querySelector('.el-message-box').textContent).toContain('10分钟内有效');
  });
});
