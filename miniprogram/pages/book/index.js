const api = require('../../utils/api.js');
const { beijingDate, modeNames, when, yuan } = require('../../utils/format.js');

// The next bookable times of a service in words; one tap, one confirmation, booked (and paid, if there is anything to pay).
// Where the service comes more than one way (a lunch at the meal point or delivered home), the way is chosen here,
// shown in the confirmation and sent with the booking.
Component({
  data: { serviceId: 0, name: '', acting: null, modes: [], mode: '', slots: [], loaded: false, error: '', busy: false, templates: [] },
  methods: {
    onLoad(query) {
      const modes = (query.modes || '').split(',').filter((m) => modeNames[m]).map((code) => ({ code, name: modeNames[code] }));
      this.setData({ serviceId: Number(query.serviceId), name: decodeURIComponent(query.name || ''), modes, mode: modes.length ? modes[0].code : '' });
      return api.ensureLogin().then(() => this.load(query), (e) => this.setData({ error: e.title, loaded: true }));
    },
    load(query) {
      const acting = api.actingFor();
      this.setData({ acting });
      if (!acting) return this.setData({ error: '请先在"家人"里选择要代办的老人', loaded: true });
      // The messages to offer (confirmation, reminder, rate it); asked for when the user confirms, as WeChat requires a tap.
      api.request('/api/auth/wechat/templates').then((t) => this.setData({ templates: t.forBooking }), () => {});
      const path = `/api/availability?serviceId=${query.serviceId}&elderId=${acting.elderId}&from=${beijingDate()}&to=${beijingDate(6)}`;
      return api.request(path).then((all) => {
        const slots = all.filter((s) => s.bookable).slice(0, 12).map((s) => Object.assign({}, s, { when: when(s.date, s.start) }));
        this.setData({ slots, loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    chooseMode(event) {
      this.setData({ mode: event.currentTarget.dataset.mode });
    },
    pick(event) {
      const slot = this.data.slots[event.currentTarget.dataset.index];
      // A second tap while the dialog is open or the booking is on its way does nothing: one dialog, one booking.
      if (this.data.busy || this.asking) return;
      this.asking = true;
      wx.showModal({
        title: '确认预约', content: [this.data.name, slot.when, slot.resourceName, modeNames[this.data.mode]].filter(Boolean).join('\n'), confirmText: '预约', cancelText: '再看看',
        success: (res) => {
          this.asking = false;
          if (!res.confirm) return;
          if (this.data.templates.length) wx.requestSubscribeMessage({ tmplIds: this.data.templates, complete() {} });
          this.book(slot);
        },
        fail: () => { this.asking = false; },
      });
    },
    /** The key of the booking being made: the same for every retry of this slot, new once it is booked or given up. */
    keyFor(slot) {
      if (!this.intent || this.intent.slotId !== slot.slotId || this.intent.mode !== this.data.mode) this.intent = { slotId: slot.slotId, mode: this.data.mode, key: api.idempotencyKey() };
      return this.intent.key;
    },
    book(slot) {
      const acting = api.actingFor();
      this.setData({ busy: true });
      return api.request('/api/bookings', {
        method: 'POST', data: Object.assign({ elderId: acting.elderId, slotId: slot.slotId }, this.data.mode ? { mode: this.data.mode } : {}),
        header: { 'Idempotency-Key': this.keyFor(slot) },
      }).then((booking) => {
        this.intent = null; // booked: a next booking gets its own key
        if (booking.status !== 'Requested') return booking;
        return api.pay(booking.id).then(() => booking, (e) => { api.showError(e); return null; });
      }).then((booking) => {
        this.setData({ busy: false });
        if (booking) wx.showToast({ title: booking.price.payableFen ? `已预约，付了${yuan(booking.price.payableFen)}` : '已预约', icon: 'success' });
        wx.switchTab({ url: '/pages/orders/index' });
      }, (e) => {
        this.setData({ busy: false });
        // Lost on the way: the same booking may be tried again, with the same key. Refused: a new choice, a new key.
        if (e.type !== 'network') this.intent = null;
        api.showError(e, () => this.book(slot));
      });
    },
  },
});
