const config = require('../../config.js');
const demo = require('../../utils/demo.js');

// A person one tap away on every page: the acting elder's own station (its duty phone, from the log-in) and the
// district's hotline, where a person answers. The page passes the elder it acts for (none yet: the hotline only).
Component({
  properties: { acting: { type: Object, value: null } },
  data: { hotline: config.hotline, demo: false },
  lifetimes: {
    attached() { this.setData({ demo: demo.isOn() }); },
  },
  // A tab page stays open: when it is shown again (after 先看看 or 退出演示) it says so, or stops saying it.
  pageLifetimes: {
    show() { this.setData({ demo: demo.isOn() }); },
  },
  methods: {
    callStation() {
      wx.makePhoneCall({ phoneNumber: this.data.acting.stationPhone, fail() {} });
    },
    callHotline() {
      wx.makePhoneCall({ phoneNumber: this.data.hotline.number, fail() {} });
    },
  },
});
