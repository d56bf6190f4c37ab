const { elderMode } = require('../behaviors/elder-mode.js');

// The tab bar: icons with large labels (WeChat's own tab bar has 10-12 px text and, without images, no icons). Each
// tab page marks itself selected when shown (tabs.js).
Component({
  behaviors: [elderMode],
  data: {
    selected: 0,
    tabs: [
      { path: '/pages/home/index', text: '首页', icon: '/images/tab-home.svg' },
      { path: '/pages/orders/index', text: '订单', icon: '/images/tab-orders.svg' },
      { path: '/pages/family/index', text: '家人', icon: '/images/tab-family.svg' },
      { path: '/pages/profile/index', text: '我的', icon: '/images/tab-profile.svg' },
    ],
  },
  methods: {
    go(event) {
      const index = event.currentTarget.dataset.index;
      wx.switchTab({ url: this.data.tabs[index].path });
      this.setData({ selected: index });
    },
  },
});
