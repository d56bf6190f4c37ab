// A stand-in for the wx API the pages use: answers by "METHOD path" (an answer, or a function of the request that
// returns one, null for a network failure), remembers every request, navigation, dialog and toast; storage in
// memory; dialogs are confirmed and payments succeed unless a test says otherwise (options.confirm: false;
// options.holdDialogs: dialogs stay open until the test answers them with calls.modals[i].success).
const path = require('path');
const simulate = require('miniprogram-simulate');

const root = path.join(__dirname, '..');
const { answerProblems } = require('../../contract/check.js');

// Fake answers that do not fit the API, kept until tests/contract-setup.js fails the test that gave them (a throw
// inside a page's request could be caught by the page and shown as a network error instead).
const contractProblems = [];

function fakeWx(answers = {}, options = {}) {
  const calls = { requests: [], navigations: [], modals: [], toasts: [], payments: [] };
  const storage = new Map(Object.entries(options.storage || {}));
  global.wx = {
    request({ url, method = 'GET', data, header, success, fail }) {
      const pathOnly = url.replace(/^https?:\/\/[^/]+/, '');
      calls.requests.push({ method, path: pathOnly, data, header });
      const given = answers[`${method} ${pathOnly}`];
      const answer = typeof given === 'function' ? given({ method, path: pathOnly, data, header }) : given;
      // Every fake answer must be one the API could give (contract/openapi.json): a route it lacks or a field it does
      // not send fails the test, so a changed response breaks the pages' tests.
      const wrong = answer ? answerProblems(method, pathOnly, answer[0], answer[1]) : [];
      if (wrong.length) contractProblems.push(`the fake answer to ${method} ${pathOnly} does not fit the API:\n${wrong.join('\n')}`);
      setTimeout(() => {
        if (!answer) fail({ errMsg: 'request:fail' });
        else success({ statusCode: answer[0], data: answer[1] });
      }, 0);
    },
    login({ success }) { setTimeout(() => success({ code: 'login-code-1' }), 0); },
    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key, value) => storage.set(key, value),
    removeStorageSync: (key) => storage.delete(key),
    navigateTo: ({ url }) => calls.navigations.push(url),
    redirectTo: ({ url }) => calls.navigations.push(url),
    switchTab: ({ url }) => calls.navigations.push(url),
    reLaunch: ({ url }) => calls.navigations.push(url),
    stopPullDownRefresh: () => { calls.refreshStopped = (calls.refreshStopped || 0) + 1; },
    // WeChat's font-size setting (options.fontScale, 1 unless a test says so) on a 375 px wide phone.
    getAppBaseInfo: () => ({ fontSizeScaleFactor: options.fontScale || 1, fontSizeSetting: 17 * (options.fontScale || 1) }),
    getWindowInfo: () => ({ windowWidth: 375 }),
    showModal(args) {
      calls.modals.push(args);
      if (options.holdDialogs) return;
      if (args.success) args.success({ confirm: options.confirm !== false, cancel: options.confirm === false });
    },
    showToast: (args) => calls.toasts.push(args.title),
    makePhoneCall: ({ phoneNumber }) => { calls.phoneCalls = (calls.phoneCalls || []).concat(phoneNumber); },
    requestSubscribeMessage(args) { calls.subscriptions = args.tmplIds; if (args.complete) args.complete(); },
    // Caregivers' phones: options.location ({ latitude, longitude, accuracy }, 'deny' or 'fail'), options.photo (the
    // camera's file, or null: the caregiver cancelled); uploads answer answers['UPLOAD /api/visits/photos'].
    getLocation(args) {
      calls.locations = (calls.locations || []).concat([args]);
      const place = options.location === undefined ? { latitude: 39.9812, longitude: 116.3561, accuracy: 20 } : options.location;
      setTimeout(() => (place === 'deny' ? args.fail({ errMsg: 'getLocation:fail auth deny' }) : place === 'fail' ? args.fail({ errMsg: 'getLocation:fail' }) : args.success(place)), 0);
    },
    chooseMedia(args) {
      calls.media = (calls.media || []).concat([args]);
      const photo = options.photo === undefined ? 'wxfile://tmp/door.jpg' : options.photo;
      setTimeout(() => (photo ? args.success({ tempFiles: [{ tempFilePath: photo, size: 120000 }] }) : args.fail({ errMsg: 'chooseMedia:fail cancel' })), 0);
    },
    uploadFile({ url, filePath, name, header, success, fail }) {
      const pathOnly = url.replace(/^https?:\/\/[^/]+/, '');
      calls.uploads = (calls.uploads || []).concat([{ path: pathOnly, filePath, name, header }]);
      const given = answers[`UPLOAD ${pathOnly}`];
      const answer = typeof given === 'function' ? given({ filePath }) : given;
      const wrong = answer ? answerProblems('POST', pathOnly, answer[0], answer[1]) : [];
      if (wrong.length) contractProblems.push(`the fake answer to the upload ${pathOnly} does not fit the API:\n${wrong.join('\n')}`);
      setTimeout(() => (answer ? success({ statusCode: answer[0], data: JSON.stringify(answer[1]) }) : fail({ errMsg: 'uploadFile:fail' })), 0);
    },
    openLocation: (args) => { calls.openedLocation = args; },
    // The camera reading a meal card: options.scanned (the code, or null: cancelled).
    scanCode(args) {
      calls.scans = (calls.scans || []).concat([args]);
      const code = options.scanned === undefined ? '1234567890' : options.scanned;
      setTimeout(() => (code ? args.success({ result: code, scanType: 'QR_CODE' }) : args.fail({ errMsg: 'scanCode:fail cancel' })), 0);
    },
    openSetting: (args) => { calls.settingsOpened = (calls.settingsOpened || 0) + 1; if (args && args.complete) args.complete(); },
    onNetworkStatusChange: (listener) => { calls.networkListeners = (calls.networkListeners || []).concat([listener]); },
    getFileSystemManager: () => ({ saveFileSync: (temp) => temp.replace('tmp', 'store') }),
    requestPayment(args) {
      calls.payments.push(args);
      setTimeout(() => (options.payment === 'cancel' ? args.fail({ errMsg: 'requestPayment:fail cancel' }) : args.success({ errMsg: 'requestPayment:ok' })), 0);
    },
  };
  return { calls, storage };
}

/** A family member logged in and acting for 王建国. */
const familySession = {
  'eldercare.session': { token: 'tk', kind: 'Family', id: 3, phoneBound: true, elders: [{ elderId: 7, name: '王建国', relation: '女儿' }] },
  'eldercare.acting': 7,
};

/** An elder logged in as themself (李秀英, of 学院路第一养老服务驿站). */
const elderSession = {
  'eldercare.session': { token: 'tk', kind: 'Elder', id: 8, phoneBound: true, elders: [{ elderId: 8, name: '李秀英', relation: '本人', station: '学院路第一养老服务驿站', stationPhone: '01062301001' }] },
  'eldercare.acting': 8,
};

function mount(page) {
  const id = simulate.load(path.join(root, 'pages', page, 'index'), { rootPath: root });
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Taps an element and waits for what the tap started. */
async function tap(comp, selector) {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`nothing matches ${selector}`);
  node.dispatchEvent('tap');
  await settle();
  await settle();
}

const text = (comp) => comp.dom.textContent.replace(/\s+/g, ' ');

/** A caregiver (王芳, staff account 21) logged in through WeChat. */
const caregiverSession = {
  'eldercare.session': { token: 'tk', kind: 'Caregiver', id: 21, phoneBound: true, elders: [] },
};

module.exports = {
  contractProblems, fakeWx, familySession, elderSession, caregiverSession, mount, settle, tap, text };
