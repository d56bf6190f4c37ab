const api = require('../../utils/api.js');
const choice = require('../../utils/choice.js');
const { elderMode } = require('../../behaviors/elder-mode.js');
const { markTab } = require('../../behaviors/tabs.js');

const whyWords = { usual: '和上次一样', housebound: '送到家里', 'own-zone': '您片区的助餐点', nearest: '离您家最近' };

// Home. With an elder to act for: "订午餐" with the usual lunch filled in (one tap to the confirm page), and the four
// service lines. Without one (first use): two clear ways in, "我是老人本人" and "我是家属".
Component({
  behaviors: [elderMode],
  data: {
    lines: [
      { code: 'Meals', name: '助餐' }, { code: 'Bathing', name: '助浴' },
      { code: 'Cleaning', name: '助洁' }, { code: 'Medical', name: '助医' },
    ],
    acting: null, offer: null, offerError: '', pending: [], kind: '', loading: true, ready: false, error: '',
  },
  methods: {
    onShow() {
      markTab(this, 0);
      this.setData({ loading: true });
      return api.ensureLogin()
        .then((session) => {
          // A caregiver's WeChat opens their day of visits instead.
          if (session.kind === 'Caregiver') return wx.reLaunch({ url: '/pages/caregiver/index' });
          this.setData({ kind: session.kind });
          return api.refreshElders().then(() => {
            const acting = api.actingFor();
            this.setData({ acting, error: '' });
            return acting ? this.loadOffer(acting) : this.loadPending();
          });
        })
        .then(() => this.setData({ loading: false, ready: true }), (e) => this.setData({ error: e.title, loading: false, ready: true }));
    },
    onPullDownRefresh() {
      return this.onShow().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },
    loadOffer(acting) {
      return api.request(`/api/meals/lunch-offer?elderId=${acting.elderId}`).then((offer) => {
        this.choice = choice.fromOffer(offer);
        this.setData({ offer: Object.assign({ serviceName: offer.serviceName, why: whyWords[offer.why] || '' }, choice.describe(this.choice)), offerError: '' });
      }, (e) => this.setData({ offer: null, offerError: e.title }));
    },
    /** A family member with no elder yet: whom they asked for, still waiting for the elder to agree. */
    loadPending() {
      if (this.data.kind !== 'Family') return Promise.resolve();
      return api.request('/api/family-bindings').then((bindings) => this.setData({
        pending: bindings.filter((b) => b.status === 'Pending').map((b) => ({ id: b.id, name: b.elderName })),
      }), () => null);
    },
    orderLunch() {
      choice.choose(this.choice);
      wx.navigateTo({ url: '/pages/confirm/index' });
    },
    pick(event) {
      wx.navigateTo({ url: `/pages/services/index?line=${event.currentTarget.dataset.line}` });
    },
    iAmElder() {
      wx.switchTab({ url: '/pages/profile/index' });
    },
    iAmFamily() {
      wx.switchTab({ url: '/pages/family/index' });
    },
    /** 先看看: the whole app on made-up data, no account and no money (for WeChat's reviewers too). */
    tryDemo() {
      api.startDemo();
      const bar = this.selectComponent('#call-bar');
      if (bar) bar.setData({ demo: true });
      return this.onShow();
    },
  },
});
