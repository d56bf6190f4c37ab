const { fakeWx, caregiverSession, familySession, mount, settle, tap, text } = require('./helpers.js');
const { todayVisits, visit, patrols } = require('./fixtures.js');

describe('caregiver mode', () => {
  beforeEach(() => jest.resetModules());

  it("lists today's visits in order, with the way there and a call to the elder and to the station", async () => {
    const { calls } = fakeWx({ 'GET /api/visits/today': [200, todayVisits], 'GET /api/visits/patrols': [200, patrols], 'GET /api/visits/deliveries': [200, []] }, { storage: caregiverSession });
    const page = mount('caregiver');
    await page.instance.onShow();

    const first = page.querySelector('#visit-31').dom.textContent.replace(/\s+/g, ' ');
    ['09:00-11:00 居家保洁', '李秀英 138****0008', '学院路20号院3号楼2单元101', '未开始', '开始服务'].forEach((t) => expect(first).toContain(t));
    expect(text(page).indexOf('居家保洁')).toBeLessThan(text(page).indexOf('上门助浴'));
    expect(text(page)).not.toContain('13800000008'); // the number is dialled, not shown

    await tap(page, '#navigate-31');
    expect(calls.openedLocation).toMatchObject({ latitude: 39.9812, longitude: 116.3561, name: '李秀英', address: '学院路20号院3号楼2单元101' });
    await tap(page, '#call-elder-31');
    await tap(page, '#call-station-31');
    expect(calls.phoneCalls).toEqual(['13800000008', '01062301001']);
    await tap(page, '#navigate-32'); // not on the map yet: told so, no map opened with nothing
    expect(page.querySelector('#error').dom.textContent).toContain('按地址前往');
    await tap(page, '#open-31');
    expect(calls.navigations).toEqual(['/pages/visit/index?bookingId=31']);
  });

  it('clocks in at the door with a fresh GCJ-02 fix and a photo from the camera, and says so', async () => {
    const { calls } = fakeWx({
      'GET /api/visits/today': [200, todayVisits],
      'GET /api/visits/patrols': [200, patrols],
      'GET /api/visits/deliveries': [200, []],
      'UPLOAD /api/visits/photos': [200, { photoId: 5, width: 1280, height: 960, hasCameraTime: true, hasCameraPlace: false }],
      'POST /api/visits/clock-in': [201, visit('InProgress')],
    }, { storage: caregiverSession });
    const page = mount('visit');
    await page.instance.onLoad({ bookingId: '31' });
    expect(text(page)).toContain('李秀英 · 居家保洁');

    await tap(page, '#clock-in');
    await settle();
    expect(calls.locations[0]).toMatchObject({ type: 'gcj02', isHighAccuracy: true });
    expect(calls.media[0]).toMatchObject({ mediaType: ['image'], sourceType: ['camera'], count: 1 });
    expect(calls.uploads[0]).toMatchObject({ path: '/api/visits/photos', name: 'photo', filePath: 'wxfile://tmp/door.jpg', header: { Authorization: 'Bearer tk' } });
    const clockIn = calls.requests.find((r) => r.path === '/api/visits/clock-in');
    expect(clockIn.data).toMatchObject({ bookingId: 31, fix: { latitude: 39.9812, longitude: 116.3561, accuracyMeters: 20, photoId: 5 } });
    expect(new Date(clockIn.data.fix.sentAt) >= new Date(clockIn.data.fix.capturedAt)).toBe(true);
    expect(page.querySelector('#result').dom.textContent).toContain('已打卡，开始服务');
    expect(page.querySelector('#clock-out')).toBeTruthy();
    expect(page.querySelector('#check-kitchen').dom.textContent).toContain('厨房');
  });

  it('without location permission shows how to allow it, and can clock in without a location for the station to check', async () => {
    const { calls } = fakeWx({
      'GET /api/visits/today': [200, todayVisits],
      'GET /api/visits/patrols': [200, patrols],
      'GET /api/visits/deliveries': [200, []],
      'UPLOAD /api/visits/photos': [200, { photoId: 5, width: 1280, height: 960, hasCameraTime: false, hasCameraPlace: false }],
      'POST /api/visits/clock-in': [201, visit('InProgress')],
    }, { storage: caregiverSession, location: 'deny' });
    const page = mount('visit');
    await page.instance.onLoad({ bookingId: '31' });

    await tap(page, '#clock-in');
    expect(page.querySelector('#location-problem').dom.textContent).toContain('没有打开位置权限');
    expect(calls.media).toBeUndefined(); // no photo asked for yet
    expect(calls.requests.some((r) => r.path === '/api/visits/clock-in')).toBe(false);
    await tap(page, '#open-settings');
    expect(calls.settingsOpened).toBe(1);

    await tap(page, '#clock-in'); // still not allowed
    await tap(page, '#without-location');
    await settle();
    const clockIn = calls.requests.find((r) => r.path === '/api/visits/clock-in');
    expect(clockIn.data.fix).toMatchObject({ photoId: 5 });
    expect(clockIn.data.fix.latitude).toBeUndefined();
    expect(page.querySelector('#result').dom.textContent).toContain('已打卡');
  });

  it('keeps a clock-in and a clock-out taken without a signal, and sends them in order with their capture times when the network is back', async () => {
    let online = false;
    const { calls, storage } = fakeWx({
      'GET /api/visits/today': [200, todayVisits],
      'GET /api/visits/patrols': [200, patrols],
      'GET /api/visits/deliveries': [200, []],
      'UPLOAD /api/visits/photos': () => (online ? [200, { photoId: calls.uploads.length, width: 1280, height: 960, hasCameraTime: true, hasCameraPlace: false }] : null),
      'POST /api/visits/clock-in': () => (online ? [201, visit('InProgress')] : null),
      'POST /api/visits/70/clock-out': () => (online ? [200, visit('NeedsReview', [{ code: 'late-upload', words: '离线记录很久以后才上传' }])] : null),
    }, { storage: caregiverSession });
    const page = mount('visit');
    await page.instance.onLoad({ bookingId: '31' });

    await tap(page, '#clock-in');
    await settle();
    expect(page.querySelector('#result').dom.textContent).toContain('没有网络，打卡已存在手机里');
    await tap(page, '#check-kitchen'); // (the checkbox-group reports the ticked codes)
    page.instance.onChecklist({ detail: { value: ['kitchen', 'floors'] } });
    await tap(page, '#clock-out');
    await settle();
    expect(page.querySelector('#result').dom.textContent).toContain('签退已存在手机里');
    const kept = storage.get('eldercare.visit-queue');
    expect(kept.map((k) => k.kind)).toEqual(['in', 'out']);
    expect(kept[0].photoPath).toBe('wxfile://store/door.jpg'); // saved, so it outlives WeChat closing

    // The list says what is waiting; the network comes back and the phone sends both, the clock-in first.
    const list = mount('caregiver');
    await list.instance.onShow();
    expect(list.querySelector('#queued').dom.textContent).toContain('还有2条打卡存在手机里');
    expect(list.querySelector('#visit-31').dom.textContent).toContain('已签退，等有网络时发送');
    online = true;
    calls.networkListeners.forEach((listener) => listener({ isConnected: true }));
    await settle(); await settle(); await settle(); await settle();
    const sent = calls.requests.filter((r) => r.method === 'POST').map((r) => r.path);
    expect(sent.slice(-2)).toEqual(['/api/visits/clock-in', '/api/visits/70/clock-out']);
    const out = calls.requests.find((r) => r.path === '/api/visits/70/clock-out').data;
    expect(out.checklist).toEqual(['kitchen', 'floors']);
    expect(new Date(out.fix.sentAt).getTime()).toBeGreaterThanOrEqual(new Date(out.fix.capturedAt).getTime());
    expect(storage.get('eldercare.visit-queue')).toEqual([]);
  });

  it('opens in the caregiver mode once the WeChat is bound with the code from the station manager', async () => {
    const { calls } = fakeWx({
      'POST /api/auth/wechat/caregiver': (r) => (r.data.code === 'K7M2Q9XA' ? [200, caregiverSession['eldercare.session']] : [400, { type: 'bind-code-invalid', title: '绑定码不对或已过期，请让站长重新生成' }]),
      'GET /api/family-bindings': [200, []],
    }, { storage: { 'eldercare.session': { ...familySession['eldercare.session'], elders: [] } } });
    const profile = mount('profile');
    await profile.instance.onShow();
    profile.instance.onStaffCode({ detail: { value: 'WRONG123' } });
    await tap(profile, '#bind-caregiver');
    expect(profile.querySelector('#error').dom.textContent).toContain('绑定码不对');
    profile.instance.onStaffCode({ detail: { value: 'K7M2Q9XA' } });
    await tap(profile, '#bind-caregiver');
    expect(calls.navigations).toEqual(['/pages/caregiver/index']);

    const home = mount('home'); // next time WeChat opens the mini-program
    await home.instance.onShow();
    expect(calls.navigations).toEqual(['/pages/caregiver/index', '/pages/caregiver/index']);
  });

  it('lists patrol visits, the overdue one first and marked, and records a patrol with its short check', async () => {
    const { calls } = fakeWx({
      'GET /api/visits/today': [200, []],
      'GET /api/visits/patrols': [200, patrols],
      'GET /api/visits/deliveries': [200, []],
      'UPLOAD /api/visits/photos': [200, { photoId: 9, width: 1280, height: 960, hasCameraTime: true, hasCameraPlace: false }],
      'POST /api/visits/clock-in': [201, { ...visit('InProgress'), id: 88, kind: 'Patrol', bookingId: null, line: null, serviceName: '巡视探访', bookedStart: null, bookedEnd: null }],
      'POST /api/visits/88/clock-out': [200, { ...visit('Verified'), id: 88, kind: 'Patrol', bookingId: null, line: null, serviceName: '巡视探访', patrolMood: '不太好', patrolHomeSafe: false }],
    }, { storage: caregiverSession });
    const list = mount('caregiver');
    await list.instance.onShow();
    expect(list.querySelector('#patrol-12').dom.textContent).toContain('已过期（应在12月01日前）');
    expect(text(list).indexOf('赵大爷')).toBeLessThan(text(list).indexOf('孙奶奶'));
    await tap(list, '#open-patrol-12');
    expect(calls.navigations).toEqual(['/pages/visit/index?patrolId=12']);

    const page = mount('visit');
    await page.instance.onLoad({ patrolId: '12' });
    expect(text(page)).toContain('赵大爷 · 巡视探访');
    await tap(page, '#clock-in');
    await settle();
    expect(calls.requests.find((r) => r.path === '/api/visits/clock-in').data).toMatchObject({ patrolId: 12, fix: { photoId: 9 } });
    await tap(page, '#clock-out'); // no check yet: asked for it, nothing sent
    expect(page.querySelector('#error').dom.textContent).toContain('请选老人状态');
    page.instance.onMood({ detail: { value: 'poor' } });
    page.instance.onHomeSafe({ detail: { value: 'hazard' } });
    await tap(page, '#clock-out');
    await settle();
    expect(calls.requests.find((r) => r.path === '/api/visits/88/clock-out').data).toMatchObject({ patrol: { mood: 'poor', homeSafe: false } });
    expect(page.querySelector('#result').dom.textContent).toContain('已签退');
  });

  it("hands a delivered meal over at the door against the elder's meal card, and says it is delivered", async () => {
    const stops = [
      { bookingId: 51, menu: '午餐·软食套餐', period: 'Lunch', elderName: '李秀英', maskedPhone: '138****0008', phoneToCall: '13800000008', address: '学院路20号院3号楼2单元101', latitude: 39.9812, longitude: 116.3561, unpaid: false },
      { bookingId: 52, menu: '午餐·普通套餐', period: 'Lunch', elderName: '王建国', maskedPhone: '139****0009', phoneToCall: '13900000009', address: '学院路18号院1号楼', latitude: null, longitude: null, unpaid: true },
    ];
    let delivered = false;
    const { calls } = fakeWx({
      'GET /api/visits/today': [200, []],
      'GET /api/visits/patrols': [200, []],
      'GET /api/visits/deliveries': () => [200, delivered ? stops.slice(1) : stops],
      'POST /api/visits/meal-handover': (r) => { delivered = true; return [200, { ...visit('Verified'), id: 90, bookingId: r.data.bookingId, line: 'Meals', serviceName: '午餐·软食套餐' }]; },
    }, { storage: caregiverSession, scanned: '1234 5678 90' });
    const page = mount('caregiver');
    await page.instance.onShow();
    expect(page.querySelector('#delivery-51').dom.textContent).toContain('李秀英');

    await tap(page, '#hand-over-52'); // unpaid: not handed over, and told why
    expect(page.querySelector('#error').dom.textContent).toContain('还没付款');
    await tap(page, '#hand-over-51');
    await settle();
    expect(calls.scans[0]).toMatchObject({ onlyFromCamera: true });
    expect(calls.requests.find((r) => r.path === '/api/visits/meal-handover').data).toMatchObject({ bookingId: 51, mealCode: '1234 5678 90', fix: { latitude: 39.9812 } });
    expect(page.querySelector('#notice').dom.textContent).toContain('李秀英的餐已送达');
    expect(page.querySelector('#delivery-51')).toBeFalsy();
  });
});
