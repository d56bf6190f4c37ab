import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import LoginPage from '../src/pages/LoginPage.vue';
import { fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

describe('LoginPage', () => {
  beforeEach(() => sessionStorage.clear());

  it('logs in with the typed name and password and keeps the session', async () => {
    const requests = fakeApi({ 'POST /api/auth/staff': [200, { token: 't1', displayName: '王老师', role: 'Clerk', stationId: 1 }] });
    const { wrapper, router } = await mountAt('/login', LoginPage);
    await wrapper.find('input[name=username]').setValue('clerk1');
    await wrapper.find('input[name=password]').setValue('secret-1');
    await wrapper.find('form').trigger('submit');
    await flushPromises();

    expect(requests[0].body).toEqual({ username: 'clerk1', password: 'secret-1' });
    expect(session.get().token).toBe('t1');
    expect(router.currentRoute.value.path).not.toBe('/login');
  });

  it('shows the backend\'s words for a wrong password and for a locked account, and clears the password', async () => {
    fakeApi({ 'POST /api/auth/staff': [401, { type: 'wrong-credentials', title: '用户名或密码不对', status: 401 }] });
    const { wrapper } = await mountAt('/login', LoginPage);
    await wrapper.find('input[name=username]').setValue('clerk1');
    await wrapper.find('input[name=password]').setValue('nope');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-test=login-error]').text()).toContain('用户名或密码不对');
    expect(wrapper.find('input[name=password]').element.value).toBe('');

    fakeApi({ 'POST /api/auth/staff': [423, { type: 'account-locked', title: '密码错误次数太多，账号已暂时锁定', status: 423, lockedUntil: '2026-11-22T02:15:00Z' }] });
    await wrapper.find('input[name=password]').setValue('nope-again');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-test=login-error]').text()).toContain('账号已暂时锁定');
    expect(wrapper.find('[data-test=login-error]').text()).toContain('10:15'); // Beijing time
    expect(session.get()).toBeNull();
  });
});
