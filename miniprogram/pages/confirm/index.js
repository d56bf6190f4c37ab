const api = require('../../utils/api.js');
const choice = require('../../utils/choice.js');
const { beijingTime, yuan } = require('../../utils/format.js');
const { elderMode } = require('../../behaviors/elder-mode.js');

// WeChat shows the subscribe-message sheet (a confirmation, a reminder, "rate it") at most once: asked with the first
// booking; a user who wants it later ticks it in WeChat's settings. Reminders reach everyone else by phone.
const SUBSCRIBE_ASKED = 'eldercare.subscribeAsked';

// One page that says in big type what, when, where, how it comes and what the elder pays, then books and pays with one
// tap (WeChat Pay's own sheet follows). Every retry of the same choice sends the same Idempotency-Key; the result is
// said on the page, not in a toast.
Component({
  behaviors: [elderMode],
  data: {
    acting: null, choice: null, words: {}, ways: [], payment: 'WeChat', busy: false, done: null, error: '', canRetry: false,
    planned: false, templates: [],
  },
  methods: {
    onLoad() {
      return api.ensureLogin().then(() => {
        const acting = api.actingFor();
        const chosen = choice.chosen();
        if (!acting || !chosen) return this.setData({ acting, error: '还没有选好要预约的服务，请回到首页再选一次' });
        this.setData({ acting, choice: chosen, words: choice.describe(chosen), ways: choice.waysFor(chosen), payment: chosen.payment || 'WeChat' });
        api.request('/api/auth/wechat/templates').then((t) => this.setData({ templates: t.forBooking || [], payment: t.payment || this.data.payment }), () => {});
        return null;
      }, (e) => this.setData({ error: e.title, canRetry: false }));
    },
    chooseWay(event) {
      // The way of a booking on its way, made, or whose answer was lost (it may be made) stays as it is.
      if (this.data.busy || this.data.unpaid || this.data.done || this.data.canRetry) return;
      const next = Object.assign({}, choice.chosen(), { mode: event.currentTarget.dataset.mode });
      choice.choose(next);
      this.setData({ choice: next, words: choice.describe(next) });
    },
    confirm() {
      return this.book(false);
    },
    confirmAtWindow() {
      return this.book(true);
    },
    book(atWindow) {
      // A second tap while the booking is on its way does nothing: one booking.
      if (this.data.busy || this.data.done) return Promise.resolve();
      this.askSubscribeOnce();
      const c = this.data.choice;
      const payAtWindow = atWindow || this.data.payment === 'Window';
      this.atWindow = atWindow;
      this.setData({ busy: true, error: '', canRetry: false });
      return api.request('/api/bookings', {
        method: 'POST',
        data: { elderId: this.data.acting.elderId, slotId: c.slotId, mode: c.mode, payAtWindow },
        header: { 'Idempotency-Key': choice.keyFor(api.idempotencyKey, atWindow) },
      }).then((booking) => {
        choice.settled(); // booked: a next booking gets its own key
        this.booking = booking;
        if (booking.status !== 'Requested' || booking.payAtWindow) return this.finish(booking);
        return this.payBooking();
      }, (e) => {
        // Lost on the way (no answer, or a gateway's 5xx): it may have been booked, so the same request is sent again
        // with the same key. Refused: a new choice, a new key.
        const lost = e.status === 0 || e.status >= 500;
        if (!lost) choice.settled();
        this.setData({ busy: false, error: api.problemText(e), canRetry: lost });
      });
    },
    retry() {
      return this.book(!!this.atWindow);
    },
    /** 再付一次: pays the booking made, after the payment sheet was closed; the booking itself is not made twice. */
    payNow() {
      if (this.data.busy) return Promise.resolve(); // one payment sheet at a time
      return this.payBooking();
    },
    payBooking() {
      const booking = this.booking;
      this.setData({ busy: true, error: '' });
      return api.pay(booking.id).then(() => this.finish(Object.assign({}, booking, { paid: true })), (e) => {
        const until = booking.payBy ? `，请在${beijingTime(booking.payBy)}前付款，也可以在"订单"里付` : '';
        this.setData({ busy: false, error: `${e.title}${until}`, unpaid: true });
      });
    },
    finish(booking) {
      const payable = booking.price.payableFen;
      const money = !payable ? '不用付钱'
        : booking.paid ? `已付${yuan(payable)}`
          : booking.payAtWindow ? `请${booking.payBy ? `在${beijingTime(booking.payBy)}前` : ''}到驿站窗口付${yuan(payable)}，过时预约会取消`
            : `已付${yuan(payable)}`;
      this.setData({ busy: false, unpaid: false, error: '', done: { id: booking.id, money } });
    },
    askSubscribeOnce() {
      if (!this.data.templates.length || wx.getStorageSync(SUBSCRIBE_ASKED)) return;
      wx.setStorageSync(SUBSCRIBE_ASKED, true);
      wx.requestSubscribeMessage({ tmplIds: this.data.templates, complete() {} });
    },
    /** Lunch every day the same way: a standing order (the API books each day before its cut-off). */
    everyDay() {
      if (this.planning || this.data.planned) return Promise.resolve(); // one standing order, however often it is tapped
      this.planning = true;
      const c = this.data.choice;
      return api.request('/api/meal-plans', {
        method: 'POST',
        data: { elderId: this.data.acting.elderId, weekdays: [1, 2, 3, 4, 5, 6, 7], period: 'Lunch', menuItemId: c.serviceId, mealPointId: c.resourceId, mode: c.mode },
      }).then(() => this.setData({ planned: true }), (e) => this.setData({ error: e.title })).then(() => { this.planning = false; });
    },
    other() {
      const c = this.data.choice;
      wx.redirectTo({ url: `/pages/book/index?serviceId=${c.serviceId}&name=${encodeURIComponent(c.serviceName)}&modes=${(c.modes || []).join(',')}` });
    },
    seeOrder() {
      const booking = this.data.done || this.booking;
      wx.redirectTo({ url: `/pages/order/index?id=${booking.id}` });
    },
    goHome() {
      wx.switchTab({ url: '/pages/home/index' });
    },
  },
});
