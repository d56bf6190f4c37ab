/* global NodeFormData, NodeBlob */
// A caregiver's first day, against the real API (a process on this machine) and the fake WeChat server: the station
// manager makes a one-time code, the caregiver binds their own WeChat with it in the mini-program, sees the visit the
// manager assigned, clocks in at the door (a location and a camera photo, really uploaded) and out with the checklist.
const fs = require('fs');
const path = require('path');
const simulate = require('miniprogram-simulate');

const { E2E_API, E2E_WECHAT, E2E_MANAGER, E2E_PASSWORD, E2E_CAREGIVER_ID, E2E_BOOKING, E2E_LAT, E2E_LNG, E2E_PHOTO_IN, E2E_PHOTO_OUT } = process.env;
const root = path.join(__dirname, '..', '..');
const parse = (text) => (text ? JSON.parse(text) : '');

/** The caregiver's phone: their own WeChat user, standing at the elder's door, with a camera that gives the test's photos. */
function caregiverPhone(openId) {
  const storage = new Map();
  const seen = { locationSheets: 0, cameraShots: 0, touches: [] };
  const photos = [E2E_PHOTO_IN, E2E_PHOTO_OUT];
  jest.resetModules();
  jest.doMock('../../config.js', () => ({ apiBaseUrl: E2E_API, hotline: { name: '养老服务热线', number: '96156' } }));
  global.wx = {
    request({ url, method = 'GET', data, header, success, fail }) {
      const init = { method, headers: Object.assign({ 'Content-Type': 'application/json' }, header) };
      if (data !== undefined && method !== 'GET') init.body = JSON.stringify(data);
      fetch(url, init).then(async (r) => success({ statusCode: r.status, data: parse(await r.text()) }), fail);
    },
    uploadFile({ url, filePath, name, header, success, fail }) {
      const form = new NodeFormData();
      form.append(name, new NodeBlob([fs.readFileSync(filePath)], { type: 'image/jpeg' }), path.basename(filePath));
      fetch(url, { method: 'POST', headers: header, body: form }).then(async (r) => success({ statusCode: r.status, data: await r.text() }), fail);
    },
    login({ success, fail }) { fetch(`${E2E_WECHAT}/fake/login-code?openid=${openId}`).then((r) => r.text()).then(parse).then(success, fail); },
    getLocation({ type, success }) {
      if (seen.locationSheets === 0) seen.touches.push('WeChat: 允许使用位置'); // the first time only
      seen.locationSheets++;
      success({ latitude: Number(E2E_LAT), longitude: Number(E2E_LNG), accuracy: 18, type });
    },
    chooseMedia({ sourceType, success }) {
      expect(sourceType).toEqual(['camera']);
      seen.cameraShots++;
      seen.touches.push('camera: shutter', 'camera: 使用照片');
      success({ tempFiles: [{ tempFilePath: photos.shift() }] });
    },
    getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k, v) => storage.set(k, v),
    removeStorageSync: (k) => storage.delete(k),
    getFileSystemManager: () => ({ saveFileSync: (p) => p }),
    onNetworkStatusChange() {},
    navigateTo() {}, switchTab() {}, reLaunch() {},
    showModal(args) { if (args.success) args.success({ confirm: true, cancel: false }); },
    showToast() {},
  };
  return { storage, seen };
}

function mount(page) {
  const comp = simulate.render(simulate.load(path.join(root, 'pages', page, 'index'), { rootPath: root }));
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

test('a caregiver binds their WeChat with the manager\'s code, clocks in at the door with a photo and out with the checklist', async () => {
  // The station manager, in the console: 微信绑定码 beside the caregiver.
  const login = await (await fetch(`${E2E_API}/api/auth/staff`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: E2E_MANAGER, password: E2E_PASSWORD }),
  })).json();
  const issued = await (await fetch(`${E2E_API}/api/caregivers/${E2E_CAREGIVER_ID}/wechat-code`, { method: 'POST', headers: { Authorization: `Bearer ${login.token}` } })).json();
  expect(issued.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);

  // The caregiver's phone: 我的 → 我是服务人员 → the code → 绑定.
  const { storage, seen } = caregiverPhone(`o-caregiver-${Date.now()}`);
  const profile = mount('profile');
  await profile.instance.onShow();
  seen.touches.push('我的');
  profile.instance.onStaffCode({ detail: { value: issued.code } });
  seen.touches.push('绑定码（输入）');
  await profile.instance.bindCaregiver();
  seen.touches.push('绑定，进入服务人员模式');
  expect(storage.get('eldercare.session').kind).toBe('Caregiver');

  // 今天的上门服务: the visit the manager assigned.
  const list = mount('caregiver');
  await list.instance.onShow();
  const visit = list.instance.data.visits.find((v) => v.bookingId === Number(E2E_BOOKING));
  expect(visit).toBeTruthy();
  expect(visit.state).toBe('未开始');
  expect(list.dom.textContent).toContain(visit.elderName);
  seen.touches.push('开始服务');

  // At the door: 打卡 (location and a photo), then 签退 with what was done.
  const page = mount('visit');
  await page.instance.onLoad({ bookingId: E2E_BOOKING });
  await page.instance.clockIn();
  seen.touches.push('到门口了，打卡');
  expect(page.instance.data.result.text).toBe('已打卡，开始服务');
  page.instance.onChecklist({ detail: { value: ['kitchen', 'floors'] } });
  seen.touches.push('厨房', '地面');
  await page.instance.clockOut();
  seen.touches.push('服务完成，签退');
  // This visit lasted seconds, not the two hours booked: the one thing the station is asked to check.
  expect(page.instance.data.result.text).toBe('已签退。站长会核实：服务时间明显短于预约');
  expect(seen.cameraShots).toBe(2);
  console.log(`caregiver touches, binding to clock-out: ${seen.touches.length}: ${seen.touches.join(' | ')}`);
});
