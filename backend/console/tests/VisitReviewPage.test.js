import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import VisitReviewPage from '../src/pages/VisitReviewPage.vue';
import { fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

const fix = (at, metres, sent = at) => ({ latitude: 39.98, longitude: 116.35, accuracyMeters: 35, photoId: null, capturedAt: at, sentAt: sent, arrivedAt: sent, happenedAt: at, metresFromHome: metres });
const visit = {
  id: 70, kind: 'Booked', bookingId: 31, elderId: 8, elderName: '李秀英', caregiverId: 4, caregiverName: '王芳', stationId: 1, line: 'Cleaning', serviceName: '居家保洁',
  date: '2026-12-04', bookedStart: '09:00:00', bookedEnd: '11:00:00', clockIn: fix('2026-12-04T01:02:00Z', 820),
  clockOut: fix('2026-12-04T02:50:00Z', 15, '2026-12-04T09:50:00Z'), checklist: [], note: '老人在楼下花园', newNeed: null, patrolMood: null, patrolHomeSafe: null,
  status: 'NeedsReview', reasons: [{ code: 'outside-geofence', words: '打卡位置不在老人家附近' }, { code: 'late-upload', words: '离线记录很久以后才上传' }],
  resolutionReason: null, resolution: null, resolutionNote: null, resolvedAt: null, confirmations: [],
};
const codes = {
  reasons: [{ code: 'location-drift', words: '定位偏差' }, { code: 'not-delivered', words: '服务未提供' }],
  resolutions: [{ code: 'phoned-elder', words: '已电话向老人核实' }, { code: 'rejected', words: '驳回' }],
};
const figures = { stationId: 1, from: '2026-11-05', to: '2026-12-04', visits: 40, autoVerified: 37, autoVerifiedRate: 92.5, exceptionsPer100: 7.5, rejected: 1, caregivers: [] };

describe('VisitReviewPage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'StationManager', displayName: '张站长', stationId: 1 }));

  it("shows each exception's evidence and the station's figures, and the manager settles one with a reason and a resolution", async () => {
    const requests = fakeApi({
      'GET /api/visits/review?stationId=1': [200, [visit]],
      'GET /api/visits/resolution-codes': [200, codes],
      'GET /api/visits/figures?stationId=1': [200, figures],
      'POST /api/visits/70/resolve': [200, { ...visit, status: 'Verified', resolutionReason: 'location-drift', resolution: 'phoned-elder', resolvedAt: '2026-12-04T10:00:00Z' }],
    });
    const { wrapper } = await mountAt('/visits', VisitReviewPage);
    expect(wrapper.find('[data-test=figures]').text()).toContain('自动核实率 92.5%');
    const card = wrapper.find('[data-test=review-70]');
    ['李秀英', '护理员王芳', '打卡位置不在老人家附近', '离老人家 820 米', '离线 7 小时后才上传', '老人在楼下花园'].forEach((t) => expect(card.text()).toContain(t));

    // Without a reason nothing is sent.
    await card.find('[data-test=settle-70]').trigger('submit');
    await flushPromises();
    expect(wrapper.text()).toContain('请选原因和处理结果');
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    wrapper.vm.$.setupState.choice(visit).reason = 'location-drift';
    wrapper.vm.$.setupState.choice(visit).resolution = 'phoned-elder';
    await card.find('form').trigger('submit');
    await flushPromises();
    expect(requests.find((r) => r.method === 'POST').body).toEqual({ reason: 'location-drift', resolution: 'phoned-elder', note: null });
    expect(requests.filter((r) => r.path === '/api/visits/review?stationId=1')).toHaveLength(2); // reloaded after
  });

  it('lets a clerk look but not settle', async () => {
    session.set({ token: 'tk', role: 'Clerk', displayName: '王老师', stationId: 1 });
    fakeApi({
      'GET /api/visits/review?stationId=1': [200, [visit]],
      'GET /api/visits/resolution-codes': [200, codes],
      'GET /api/visits/figures?stationId=1': [200, figures],
    });
    const { wrapper } = await mountAt('/visits', VisitReviewPage);
    expect(wrapper.find('[data-test=review-70]').text()).toContain('李秀英');
    expect(wrapper.find('[data-test=settle-70]').exists()).toBe(false);
  });
});
