const api = require('../../utils/api.js');

// Home: the four service lines as four big buttons, for the elder the user acts for.
Component({
  data: {
    lines: [
      { code: 'Meals', name: '助餐' }, { code: 'Bathing', name: '助浴' },
      { code: 'Cleaning', name: '助洁' }, { code: 'Medical', name: '助医' },
    ],
    acting: null,
    ready: false,
    error: '',
  },
  methods: {
    onShow() {
      return api.ensureLogin().then(
        () => this.setData({ acting: api.actingFor(), ready: true, error: '' }),
        (e) => this.setData({ error: e.title, ready: true }),
      );
    },
    pick(event) {
      wx.navigateTo({ url: `/pages/services/index?line=${event.currentTarget.dataset.line}` });
    },
    goFamily() {
      wx.switchTab({ url: '/pages/family/index' });
    },
  },
});
