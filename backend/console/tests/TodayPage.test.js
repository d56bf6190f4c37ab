import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import TodayPage from '../src/pages/TodayPage.vue';
import { beijingDate } from '../src/format.js';
import { fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

const today = beijingDate();
const lunch = {
  id: 41, start: '11:00:00', end: '13:00:00', line: 'Meals', serviceName: '午餐·普通套餐', mode: 'AtCentre', mealPeriod: 'Lunch', status: 'Confirmed',
  resourceId: 3, resourceName: '学院路助餐点', elderId: 7, elderName: '王建国', community: '幸福里社区', caregiverId: null, caregiverName: null,
};
const day = (bookings, served = 0) => ({
  stationId: 1, stationName: '学院路一站', date: today, booked: bookings.length, arrived: served, noShows: 0, cancelled: 1,
  byHour: [{ hour: 11, meals: bookings.length, bathing: 0, cleaning: 0, medical: 0 }],
  meals: [{ period: 'Lunch', menu: '午餐·普通套餐', mealPoint: '学院路助餐点', atCentre: 1, pickUp: 0, delivery: 2, served }],
  deliveries: [{ community: '幸福里社区', stops: [{ bookingId: 42, elderName: '李秀英', address: '幸福里3号楼', phone: '13900001111', period: 'Lunch', menu: '午餐·软食', status: 'Confirmed' }] }],
  homeVisits: [], bookings,
});
const stations = [{ id: 1, name: '学院路一站', address: '一号' }];
const todayPath = `/api/stations/1/today?date=${today}`;

describe('TodayPage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'Clerk', displayName: '王老师', stationId: 1 }));

  it('shows the day: counts, portions to cook and the delivery round', async () => {
    fakeApi({ 'GET /api/stations': [200, stations], [`GET ${todayPath}`]: [200, day([lunch])] });
    const { wrapper } = await mountAt('/today', TodayPage);

    expect(wrapper.find('[data-test=stats]').text()).toContain('预约');
    expect(wrapper.find('[data-test=day-bookings]').text()).toContain('王建国');
    expect(wrapper.find('[data-test=day-meals]').text()).toContain('3'); // 1 at the centre + 2 delivered
    expect(wrapper.find('[data-test=route]').text()).toContain('幸福里3号楼');
    expect(wrapper.find('[data-test=hour-chart]').attributes('aria-label')).toContain('11点 助餐1');
  });

  it('checks a meal in with the typed code and says whose meal it was, then clears the box for the next one', async () => {
    const requests = fakeApi({
      'GET /api/stations': [200, stations],
      [`GET ${todayPath}`]: [200, day([lunch])],
      'POST /api/meal-checkins': [200, { bookingId: 41, elderId: 7, elderName: '王建国', age: 81, menu: '午餐·普通套餐', period: 'Lunch', mode: 'AtCentre', servedAt: '2026-11-30T03:30:00Z', payableFen: 1000, paidFen: 1000, unpaidFen: 0 }],
    });
    const { wrapper } = await mountAt('/today', TodayPage);
    await wrapper.find('input[name=mealCode]').setValue('1234 5678 90');
    await wrapper.find('form.checkin').trigger('submit');
    await flushPromises();

    expect(requests.find((r) => r.method === 'POST').body).toEqual({ mealCode: '1234 5678 90' });
    expect(wrapper.find('[data-test=checkin-result]').text()).toContain('已领取：王建国（81岁） 午餐·普通套餐');
    expect(wrapper.find('input[name=mealCode]').element.value).toBe('');
  });

  it('says at once when a meal handed out is not paid yet, and how much to take', async () => {
    fakeApi({
      'GET /api/stations': [200, stations],
      [`GET ${todayPath}`]: [200, day([lunch])],
      'POST /api/meal-checkins': [200, { bookingId: 41, elderId: 7, elderName: '王建国', age: 81, menu: '午餐·普通套餐', period: 'Lunch', mode: 'AtCentre',
        servedAt: '2026-11-30T03:30:00Z', payableFen: 1000, paidFen: 0, unpaidFen: 1000 }],
    });
    const { wrapper } = await mountAt('/today', TodayPage);
    await wrapper.find('input[name=mealCode]').setValue('1234567890');
    await wrapper.find('form.checkin').trigger('submit');
    await flushPromises();

    const result = wrapper.find('[data-test=checkin-result]');
    expect(result.text()).toContain('还没付钱，请收 ¥10.00');
    expect(wrapper.find('.el-alert--warning').exists()).toBe(true);
  });

  it('shows why a code was refused, with the backend\'s words and detail', async () => {
    fakeApi({
      'GET /api/stations': [200, stations],
      [`GET ${todayPath}`]: [200, day([lunch])],
      'POST /api/meal-checkins': [409, { type: 'meal-already-served', title: '这顿饭已经领过了', detail: '王建国的午餐·普通套餐已在11:32领取' }],
    });
    const { wrapper } = await mountAt('/today', TodayPage);
    await wrapper.find('input[name=mealCode]').setValue('1234567890');
    await wrapper.find('form.checkin').trigger('submit');
    await flushPromises();

    const result = wrapper.find('[data-test=checkin-result]').text();
    expect(result).toContain('这顿饭已经领过了');
    expect(result).toContain('已在11:32领取');
  });

  it('marks an arrival, and an officer (who only reads) gets no buttons and no meal counter', async () => {
    const requests = fakeApi({
      'GET /api/stations': [200, stations],
      [`GET ${todayPath}`]: [200, day([lunch])],
      'POST /api/bookings/41/transitions': [200, { id: 41, status: 'InService' }], // the booking, as the API answers (the page reloads the day)
    });
    const { wrapper } = await mountAt('/today', TodayPage);
    const arrived = wrapper.findAll('[data-test=day-bookings] button').find((b) => b.text() === '到了');
    await arrived.trigger('click');
    await flushPromises();
    expect(requests.find((r) => r.method === 'POST').body).toEqual({ to: 'InService' });

    session.set({ token: 'tk', role: 'Officer', displayName: '科长', stationId: null });
    const { wrapper: officerView } = await mountAt('/today', TodayPage);
    expect(officerView.findAll('[data-test=day-bookings] button').filter((b) => b.text() === '到了')).toHaveLength(0);
    expect(officerView.find('input[name=mealCode]').exists()).toBe(false);
  });

  it("shows this week's patrol visits with the overdue ones marked, and the station's proof-of-service figures", async () => {
    const patrols = [
      { id: 12, elderId: 10, elderName: '赵大爷', address: '学院路15号院', maskedPhone: '010****1234', tier: 'KeyGroup', dueBy: '2026-12-01', overdue: true, caregiverId: 4, caregiverName: '王芳', visitId: null },
      { id: 13, elderId: 11, elderName: '孙奶奶', address: '学院路16号院', maskedPhone: '138****5678', tier: 'HighRisk', dueBy: '2026-12-07', overdue: false, caregiverId: null, caregiverName: null, visitId: null },
    ];
    const visitFigures = { stationId: 1, from: '2026-11-05', to: '2026-12-04', visits: 40, autoVerified: 37, autoVerifiedRate: 92.5, exceptionsPer100: 7.5, rejected: 1, caregivers: [] };
    fakeApi({ 'GET /api/stations': [200, stations], [`GET ${todayPath}`]: [200, { ...day([lunch]), patrols, visitFigures }] });
    const { wrapper } = await mountAt('/today', TodayPage);

    expect(wrapper.find('[data-test=visit-figures]').text()).toContain('自动核实率 92.5%，每百次异常 7.5');
    expect(wrapper.text()).toContain('巡视探访（2，1个已过期）');
    const table = wrapper.find('[data-test=day-patrols]').text();
    ['赵大爷', '（已过期）', '重点人群', '王芳', '孙奶奶', '高风险', '未分配'].forEach((t) => expect(table).toContain(t));
  });
});
