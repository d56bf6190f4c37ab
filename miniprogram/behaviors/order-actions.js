const api = require('../utils/api.js');
const { beijingTime, modeNames, statusNames, when, yuan } = require('../utils/format.js');

const cancellable = ['Requested', 'Confirmed', 'Assigned'];

/** A booking from the API in the words the order pages show. */
function orderView(b) {
  const owed = b.price.payableFen > b.price.paidFen && cancellable.includes(b.status);
  return Object.assign({}, b, {
    when: when(b.date, b.start), modeName: modeNames[b.mode] || '', statusName: statusNames[b.status] || b.status, payable: yuan(b.price.payableFen),
    paid: b.price.paidFen > 0, canPay: owed && !b.payAtWindow, canCancel: cancellable.includes(b.status),
    payNote: owed && b.payBy ? `请在${beijingTime(b.payBy)}前${b.payAtWindow ? '到驿站窗口' : ''}付款，过时预约会取消` : '',
  });
}

// Paying, cancelling and rating an order, shared by the order list and an order's own page; each page reloads itself
// with reload() afterwards.
const orderActions = Behavior({
  data: { rating: { id: 0, score: 0, comment: '' }, stars: [1, 2, 3, 4, 5].map((n) => ({ n })) },
  methods: {
    pay(event) {
      return api.pay(event.currentTarget.dataset.id).then(() => {
        wx.showToast({ title: '已付款', icon: 'success' });
        return this.reload();
      }, api.showError);
    },
    cancel(event) {
      const id = event.currentTarget.dataset.id;
      wx.showModal({
        title: '取消预约', content: '确定要取消吗？已付的钱会退回。', confirmText: '取消预约', cancelText: '不取消',
        success: (res) => {
          if (!res.confirm) return;
          api.request(`/api/bookings/${id}/cancel`, { method: 'POST', data: { reason: '在小程序里取消' } })
            .then(() => { wx.showToast({ title: '已取消', icon: 'success' }); return this.reload(); }, api.showError);
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
      if (!score) return Promise.resolve(this.setData({ 'rating.hint': '请先点星星，几颗星都可以' }));
      return api.request(`/api/bookings/${id}/rating`, { method: 'POST', data: { score, comment } }).then(() => {
        wx.showToast({ title: '谢谢您的评价', icon: 'success' });
        this.setData({ rating: { id: 0, score: 0, comment: '' } });
        return this.reload();
      }, api.showError);
    },
  },
});

module.exports = { orderActions, orderView };
