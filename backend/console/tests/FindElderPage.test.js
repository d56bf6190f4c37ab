import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import FindElderPage from '../src/pages/FindElderPage.vue';
import { fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

import { wang, wangFile, waitingBinding } from './fixtures.js';

describe('FindElderPage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'Clerk', displayName: '王老师' }));

  it('searches with the typed text and lists elders with masked ID numbers and phones', async () => {
    const requests = fakeApi({ 'GET /api/elders?q=wjg': [200, [wang]] });
    const { wrapper } = await mountAt('/elders', FindElderPage);
    await wrapper.find('input[name=query]').setValue('wjg');
    await wrapper.find('form').trigger('submit');
    await flushPromises();

    expect(requests[0].headers.Authorization).toBe('Bearer tk');
    const table = wrapper.find('[data-test=results]').text();
    expect(table).toContain('王建国');
    expect(table).toContain('**************0012');
    expect(table).toContain('139****5678');
  });

  it('says so when nothing is found, and shows the backend\'s refusal', async () => {
    fakeApi({ 'GET /api/elders?q=zzz': [200, []], 'GET /api/elders?q=%E7%8E%8B': [403, { type: 'forbidden', title: '您没有权限办理这项业务' }] });
    const { wrapper } = await mountAt('/elders', FindElderPage);
    await wrapper.find('input[name=query]').setValue('zzz');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-test=no-results]').exists()).toBe(true);

    await wrapper.find('input[name=query]').setValue('王');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-test=search-error]').text()).toContain('您没有权限办理这项业务');
  });

  it('shows the family bound to an elder in the file and confirms a waiting request at the window', async () => {
    const file = wangFile;
    const waiting = waitingBinding;
    const requests = fakeApi({
      'GET /api/elders?q=wjg': [200, [wang]],
      'GET /api/elders/7': [200, file],
      'GET /api/family-bindings?elderId=7': [200, [waiting]],
      'GET /api/elders/7/visits-to-confirm': [200, []],
      'POST /api/family-bindings/5/confirm': [200, { ...waiting, status: 'Active' }],
    });
    const { wrapper } = await mountAt('/elders', FindElderPage);
    await wrapper.find('input[name=query]').setValue('wjg');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const openButton = wrapper.findAll('[data-test=results] button').find((b) => b.text() === '查看档案');
    await openButton.trigger('click');
    await flushPromises();

    const bindings = document.querySelector('[data-test=bindings]');
    expect(bindings.textContent).toContain('王丽');
    expect(bindings.textContent).toContain('待确认');
    document.querySelector('[data-test=confirm-binding-5]').click();
    await flushPromises();
    expect(requests.some((r) => r.method === 'POST' && r.path === '/api/family-bindings/5/confirm')).toBe(true);
  });

  it('puts the elder on the daily check-in call list, at the time chosen, and takes them off', async () => {
    const file = wangFile;
    const requests = fakeApi({
      'GET /api/elders?q=wjg': [200, [wang]],
      'GET /api/elders/7': [200, file],
      'GET /api/family-bindings?elderId=7': [200, []],
      'GET /api/elders/7/visits-to-confirm': [200, []],
      'PUT /api/elders/7/daily-check-in': [200, { elderId: 7, at: '09:30:00' }],
    });
    // Drawers of earlier tests stay in the document: this test's are the last ones.
    const last = (selector) => [...document.querySelectorAll(selector)].at(-1);
    const { wrapper } = await mountAt('/elders', FindElderPage);
    await wrapper.find('input[name=query]').setValue('wjg');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    await wrapper.findAll('[data-test=results] button').find((b) => b.text() === '查看档案').trigger('click');
    await flushPromises();
    expect(last('[data-test=check-in]').textContent).toBe('未开通');

    const time = last('[data-test=check-in-time]');
    time.value = '09:30';
    time.dispatchEvent(new Event('input'));
    await flushPromises();
    last('[data-test=check-in-save]').click();
    await flushPromises();
    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([{ at: '09:30' }]);
    expect(last('[data-test=check-in]').textContent).toBe('每天 09:30 打电话问候');

    last('[data-test=check-in-stop]').click();
    await flushPromises();
    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([{ at: '09:30' }, { at: null }]);
    expect(last('[data-test=check-in]').textContent).toBe('未开通');
  });

  it("lets the person who answered the elder's call record that a recent home visit was not done", async () => {
    session.set({ token: 'tk', role: 'HotlineAgent', displayName: '热线小李' });
    const fix = { latitude: 39.98, longitude: 116.35, accuracyMeters: 20, photoId: 5, capturedAt: '2026-12-04T01:02:00Z', sentAt: '2026-12-04T01:02:00Z', arrivedAt: '2026-12-04T01:02:00Z', happenedAt: '2026-12-04T01:02:00Z', metresFromHome: 12 };
    const disputed = {
      id: 70, kind: 'Booked', bookingId: 31, elderId: 7, elderName: '王建国', caregiverId: 4, caregiverName: '王芳', stationId: 1, line: 'Cleaning', serviceName: '居家保洁',
      date: '2026-12-04', bookedStart: '09:00:00', bookedEnd: '11:00:00', clockIn: fix, clockOut: fix, checklist: [], note: null, newNeed: null, patrolMood: null, patrolHomeSafe: null,
      status: 'NeedsReview', reasons: [{ code: 'elder-says-not-done', words: '老人说服务没有完成' }], resolutionReason: null, resolution: null, resolutionNote: null, resolvedAt: null,
      confirmations: [{ channel: 'Phone', done: false, rating: null, at: '2026-12-04T03:00:00Z' }], intact: true, locked: false,
    };
    const asked = [{ bookingId: 31, serviceName: '居家保洁', caregiverName: '王芳', leftAt: '2026-12-04T02:50:00Z' }];
    const requests = fakeApi({
      'GET /api/elders?q=wjg': [200, [wang]],
      'GET /api/elders/7': [200, wangFile],
      'GET /api/family-bindings?elderId=7': [200, []],
      'GET /api/elders/7/visits-to-confirm': [200, asked],
      'POST /api/bookings/31/visit-confirmation': [200, disputed],
    });
    const last = (selector) => [...document.querySelectorAll(selector)].at(-1);
    const { wrapper } = await mountAt('/elders', FindElderPage);
    await wrapper.find('input[name=query]').setValue('wjg');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    await wrapper.findAll('[data-test=results] button').find((b) => b.text() === '查看档案').trigger('click');
    await flushPromises();
    expect(last('[data-test=to-confirm-31]').textContent).toContain('居家保洁（护理员王芳');

    last('[data-test=visit-not-done-31]').click();
    await flushPromises();
    expect(requests.find((r) => r.method === 'POST').body).toEqual({ done: false });
  });
});
