import { beforeEach, describe, expect, it } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import RegisterElderPage from '../src/pages/RegisterElderPage.vue';
import { idNumberProblem } from '../src/idNumber.js';
import { fakeApi, mountAt } from './helpers.js';
import { session } from '../src/api.js';

const communities = [{ id: 3, name: '学院路社区', stationId: 1, stationName: '学院路驿站' }];

async function fill(wrapper, idNumber) {
  await wrapper.find('input[name=name]').setValue('李桂兰');
  await wrapper.find('input[name=idNumber]').setValue(idNumber);
  await wrapper.find('input[name=address]').setValue('学院路20号院3号楼502');
  await wrapper.find('input[name=phone]').setValue('13512345678');
  wrapper.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 3);
  await flushPromises();
}

describe('ID number check', () => {
  it('accepts a number whose check character fits and explains what is wrong otherwise', () => {
    expect(idNumberProblem('110105194912310021')).toBe('身份证号校验不通过，请逐位核对'); // last character should be X
    expect(idNumberProblem('1101081944')).toBe('身份证号应为18位');
    expect(idNumberProblem('11010819440315ABCD')).toBe('前17位应是数字，最后一位是数字或X');
    expect(idNumberProblem('11010519491231002x')).toBe(''); // a valid one, lower-case x allowed
  });
});

describe('RegisterElderPage', () => {
  beforeEach(() => session.set({ token: 'tk', role: 'Clerk', displayName: '王老师', stationId: 1 }));

  it('does not send a number that fails its check character', async () => {
    const requests = fakeApi({ 'GET /api/elders/communities': [200, communities] });
    const { wrapper } = await mountAt('/register', RegisterElderPage);
    await fill(wrapper, '110105194912310021');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(wrapper.text()).toContain('身份证号校验不通过');
  });

  it('shows a possible duplicate, and sends again once the clerk confirms it is someone else', async () => {
    const requests = fakeApi({
      'GET /api/elders/communities': [200, communities],
      'POST /api/elders': [409, { type: 'possible-duplicate', title: '已有同名同电话的老人，请先核对是不是同一个人', elderIds: [12] }],
    });
    const { wrapper } = await mountAt('/register', RegisterElderPage);
    await fill(wrapper, '11010519491231002X');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-test=register-error]').text()).toContain('同名同电话');
    expect(requests.at(-1).body).toMatchObject({ name: '李桂兰', idNumber: '11010519491231002X', communityId: 3, notADuplicate: false });

    fakeApi({
      'GET /api/elders/communities': [200, communities],
      'POST /api/elders': [201, { id: 40, name: '李桂兰', maskedIdNumber: '**************002X', zone: 1, walkIn: false }],
    });
    await wrapper.find('[data-test=not-a-duplicate] input').setValue(true);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-test=registered]').text()).toContain('已为李桂兰建档（编号 40）');
  });
});
