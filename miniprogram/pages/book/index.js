const api = require('../../utils/api.js');
const { beijingDate, when, yuan } = require('../../utils/format.js');

// The next bookable times of a service in words; one tap, one confirmation, booked (and paid, if there is anything to pay).
Component({
  data: { serviceId: 0, name: '', slots: [], loaded: false, error: '', busy: false, templates: [] },
  methods: {
    onLoad(query) {
      const acting = api.actingFor();
      this.setData({ serviceId: Number(query.serviceId), name: decodeURIComponent(query.name || '') });
      if (!acting) return Promise.resolve(this.setData({ error: '请先在"家人"里选择要代办的老人', loaded: true }));
      // The messages to offer (confirmation, reminder, rate it); asked for when the user confirms, as WeChat requires a tap.
      api.request('/api/auth/wechat/templates').then((t) => this.setData({ templates: t.forBooking }), () => {});
      const path = `/api/availability?serviceId=${query.serviceId}&elderId=${acting.elderId}&from=${beijingDate()}&to=${beijingDate(6)}`;
      return api.request(path).then((all) => {
        const slots = all.filter((s) => s.bookable).slice(0, 12).map((s) => Object.assign({}, s, { when: when(s.date, s.start) }));
        this.setData({ slots, loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    pick(event) {
      const slot = this.data.slots[event.currentTarget.dataset.index];
      if (this.data.busy) return;
      wx.showModal({
        title: '确认预约', content: `${this.data.name}\n${slot.when}\n${slot.resourceName}`, confirmText: '预约', cancelText: '再看看',
        success: (res) => {
          if (!res.confirm) return;
          if (this.data.templates.length) wx.requestSubscribeMessage({ tmplIds: this.data.templates, complete() {} });
          this.book(slot);
        },
      });
    },
    book(slot) {
      const acting = api.actingFor();
      this.setData({ busy: true });
      return api.request('/api/bookings', {
        method: 'POST', data: { elderId: acting.elderId, slotId: slot.slotId }, header: { 'Idempotency-Key': api.idempotencyKey() },
      }).then((booking) => {
        if (booking.status !== 'Requested') return booking;
        return api.pay(booking.id).then(() => booking, (e) => { api.showError(e); return null; });
      }).then((booking) => {
        this.setData({ busy: false });
        if (booking) wx.showToast({ title: booking.price.payableFen ? `已预约，付了${yuan(booking.price.payableFen)}` : '已预约', icon: 'success' });
        wx.switchTab({ url: '/pages/orders/index' });
      }, (e) => {
        this.setData({ busy: false });
        api.showError(e);
      });
    },
  },
});
