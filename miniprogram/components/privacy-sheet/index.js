const privacy = require('../../utils/privacy.js');

// The privacy notice WeChat's review asks for, shown when WeChat needs the user's agreement (utils/privacy.js): what
// the data is used for, the full guide one tap away, and 同意 / 不同意 as large buttons.
Component({
  data: { shown: false },
  lifetimes: {
    attached() { this.unregister = privacy.register(() => this.setData({ shown: true })); },
    detached() { if (this.unregister) this.unregister(); },
  },
  methods: {
    agree() {
      privacy.answer(true, 'agree-privacy');
      this.setData({ shown: false });
    },
    disagree() {
      privacy.answer(false);
      this.setData({ shown: false });
    },
    openGuide() {
      if (wx.openPrivacyContract) wx.openPrivacyContract({ fail() {} });
    },
  },
});
