const privacy = require('./utils/privacy.js');

App({
  onLaunch() {
    if (wx.onNeedPrivacyAuthorization) wx.onNeedPrivacyAuthorization((resolve) => privacy.ask(resolve));
  },
});
