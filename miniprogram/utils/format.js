// Plain Chinese for codes, money in fen and Beijing dates.
const lineNames = { Meals: '助餐', Bathing: '助浴', Cleaning: '助洁', Medical: '助医' };
const statusNames = {
  Requested: '待付款', Confirmed: '已预约', Assigned: '已派人', InService: '服务中', Completed: '已完成', Rated: '已评价',
  Cancelled: '已取消', NoShow: '未到', Rejected: '未受理',
};
const weekdays = ['日', '一', '二', '三', '四', '五', '六'];

const yuan = (fen) => `${(fen / 100).toFixed(2)}元`;

function beijingDate(offsetDays = 0) {
  const d = new Date(Date.now() + 8 * 3600000 + offsetDays * 86400000);
  return d.toISOString().slice(0, 10);
}

/** "12月1日 周二 上午9:00": how a time is said to an elder. */
function when(date, start) {
  const d = new Date(`${date}T00:00:00Z`);
  const [h, m] = String(start).split(':').map(Number);
  const part = h < 12 ? '上午' : h < 18 ? '下午' : '晚上';
  const hour = h > 12 ? h - 12 : h;
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 周${weekdays[d.getUTCDay()]} ${part}${hour}:${String(m).padStart(2, '0')}`;
}

/** How a service comes, as the API names it (ServiceModes), in the words on the buttons. */
const modeNames = { AtCentre: '到站里用餐', Delivery: '送餐到家', PickUp: '自己去取', AtHome: '上门服务' };

/** "约800米" / "约1.4公里": how far a place is from the elder's home. */
function distance(metres) {
  if (metres === null || metres === undefined) return '';
  const rounded = Math.max(50, Math.round(metres / 50) * 50);
  return rounded < 1000 ? `约${rounded}米` : `约${(metres / 1000).toFixed(1)}公里`;
}

/** "12月2日 9:30": an instant (UTC, from the API) as a Beijing date and time. */
function beijingTime(iso) {
  const d = new Date(new Date(iso).getTime() + 8 * 3600000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${d.getUTCHours()}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

module.exports = { lineNames, statusNames, modeNames, yuan, beijingDate, beijingTime, when, distance };
