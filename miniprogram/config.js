// Where the mini-program finds the Eldercare API, per WeChat environment (wx.getAccountInfoSync().miniProgram.envVersion):
// develop is WeChat DevTools against a local backend (tick "不校验合法域名" in Details → Local settings); trial and
// release use the district's HTTPS domain, which must be listed as a request domain (request合法域名) in the
// mini-program's admin console. WeChat refuses plain http in trial and release builds.
const apiBaseUrls = {
  develop: 'http://127.0.0.1:5080',
  trial: 'https://eldercare.example.gov.cn',
  release: 'https://eldercare.example.gov.cn',
};

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop';
  } catch (e) {
    return 'develop';
  }
}

module.exports = {
  apiBaseUrls,
  apiBaseUrl: apiBaseUrls[envVersion()] || apiBaseUrls.release,
  // The district's hotline, where a person answers (Beijing's 96156); the call button on every page dials it.
  hotline: { name: '养老服务热线', number: '96156' },
};
