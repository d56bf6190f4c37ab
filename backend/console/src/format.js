// Plain Chinese for what the API sends as codes and fen.
export const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;

export const lineNames = { Meals: '助餐', Bathing: '助浴', Cleaning: '助洁', Medical: '助医' };
export const modeNames = { AtCentre: '到站', AtHome: '上门', Delivery: '送餐', PickUp: '自取' };
export const methodNames = { Cash: '现金', Card: '刷卡', WeChatScan: '微信扫码', WeChatPay: '微信支付' };
export const bookingStatusNames = {
  Requested: '待付款', Confirmed: '已预约', Assigned: '已派单', InService: '服务中', Completed: '已完成', Rated: '已评价',
  Cancelled: '已取消', NoShow: '未到', Rejected: '已拒绝',
};
const weekdays = ['日', '一', '二', '三', '四', '五', '六'];
export const dayText = (date) => {
  const d = new Date(`${date}T00:00:00`);
  return `${d.getMonth() + 1}月${d.getDate()}日 周${weekdays[d.getDay()]}`;
};
export const timeText = (time) => String(time).slice(0, 5);
export const beijingDate = (offsetDays = 0) =>
  new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
export const periodNames = { Lunch: '午餐', Dinner: '晚餐' };
/** An instant as a list shows it, in Beijing time: "11/30 09:05". */
export const shortWhen = (at) =>
  new Date(at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A hotline call's outcome ("booked:12,agent") in words staff read at a glance. */
export function callOutcomeText(outcome) {
  const words = {
    agent: '转人工', emergency: '紧急求助', ended: '挂断', answered: '已接听', 'hung-up': '挂断',
    'no-person': '没有人接听', callback: '已安排回电',
  };
  const people = { agent: '热线工作人员', duty: '驿站值班电话', district: '区值班电话' };
  return outcome.split(',').map((part) => {
    const [what, detail] = part.split(/:(.*)/s);
    switch (what) {
      case 'person': {
        const [who, after] = detail.split(':');
        return `接通${people[who] ?? who}（等了${parseInt(after, 10)}秒）`;
      }
      case 'booked': return `预约成功（单号${detail}）`;
      case 'cancelled': return `取消预约（单号${detail}）`;
      case 'refused': return '未能预约';
      case 'not-answered': return `未接通（${detail}）`;
      case 'not-delivered': return `未确认（${detail}）`;
      default: return words[what] ?? part;
    }
  }).join('，');
}
