// Where the mini-program finds the Eldercare API. In WeChat DevTools against a local backend, keep the default and
// tick "不校验合法域名" (Details → Local settings); a release build points at the district's HTTPS domain.
module.exports = {
  apiBaseUrl: 'http://127.0.0.1:5080',
  // The district's hotline, where a person answers (Beijing's 96156); the call button on every page dials it.
  hotline: { name: '养老服务热线', number: '96156' },
};
