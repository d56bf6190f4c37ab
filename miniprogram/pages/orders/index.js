const api = require('../../utils/api.js');
const { beijingDate, modeNames, statusNames, when, yuan } = require('../../utils/format.js');

const cancellable = ['Requested', 'Confirmed', 'Assigned'];

// The acting elder's orders: pay what is owed, cancel, rate what was done.
Component({
  data: { acting: null, orders: [], loaded: false, error: '', rating: { id: 0, score: 0, comment: '' }, stars: [1, 2, 3, 4, 5].map((n) => ({ n })) },
  methods: {
    onShow() {
      return api.ensureLogin().then(() => this.load(), (e) => this.setData({ error: e.title, loaded: true }));
    },
    load() {
      const acting = api.actingFor();
      this.setData({ acting });
      if (!acting) return Promise.resolve(this.setData({ error: '请先在"家人"里选择要代办的老人', loaded: true }));
      return api.request(`/api/bookings?elderId=${acting.elderId}&from=${beijingDate(-30)}`).then((all) => {
        const orders = all.slice().reverse().map((b) => Object.assign({}, b, {
          when: when(b.date, b.start), modeName: modeNames[b.mode] || '', statusName: statusNames[b.status], payable: yuan(b.price.payableFen), paid: b.price.paidFen > 0,
          canPay: b.price.payableFen > b.price.paidFen && cancellable.includes(b.status), canCancel: cancellable.includes(b.status),
        }));
        this.setData({ orders, loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    pay(event) {
      return api.pay(event.currentTarget.dataset.id).then(() => {
        wx.showToast({ title: '已付款', icon: 'success' });
        return this.onShow();
      }, api.showError);
    },
    cancel(event) {
      const id = event.currentTarget.dataset.id;
      wx.showModal({
        title: '取消预约', content: '确定要取消吗？已付的钱会退回。', confirmText: '取消预约', cancelText: '不取消',
        success: (res) => {
          if (!res.confirm) return;
          api.request(`/api/bookings/${id}/cancel`, { method: 'POST', data: { reason: '在小程序里取消' } })
            .then(() => { wx.showToast({ title: '已取消', icon: 'success' }); return this.onShow(); }, api.showError);
        },
      });
    },
    startRating(event) {
      this.setData({ rating: { id: event.currentTarget.dataset.id, score: 0, comment: '' } });
    },
    score(event) {
      this.setData({ 'rating.score': Number(event.currentTarget.dataset.score) });
    },
    comment(event) {
      this.setData({ 'rating.comment': event.detail.value });
    },
    sendRating() {
      const { id, score, comment } = this.data.rating;
      return api.request(`/api/bookings/${id}/rating`, { method: 'POST', data: { score, comment } }).then(() => {
        wx.showToast({ title: '谢谢您的评价', icon: 'success' });
        this.setData({ rating: { id: 0, score: 0, comment: '' } });
        return this.onShow();
      }, api.showError);
    },
  },
});
