// 长辈模式: the page's text follows WeChat's own font-size setting (关怀模式 and 字体大小 make it larger) and the 大字
// switch in 我的 makes it larger still. Every size in the style sheets is in em of the page's font size, which this
// sets (at least 40rpx), so one number scales a whole page; the page puts it on <page-meta page-style>.
const BIG_TYPE = 'eldercare.bigType';

/** WeChat's text scale for this user: fontSizeScaleFactor where the base library has it, else fontSizeSetting against its 17 px standard. */
function wechatScale() {
  try {
    const info = wx.getAppBaseInfo ? wx.getAppBaseInfo() : wx.getSystemInfoSync();
    if (info.fontSizeScaleFactor) return info.fontSizeScaleFactor;
    if (info.fontSizeSetting) return info.fontSizeSetting / 17;
  } catch (e) { /* an old base library: the standard size */ }
  return 1;
}

function textScale() {
  let scale = Math.max(1, wechatScale());
  if (wx.getStorageSync(BIG_TYPE)) scale = Math.max(scale * 1.25, 1.25);
  return Math.min(scale, 2);
}

/** The page's font size in px: 40rpx of this screen's width, times the scale. */
function fontPx() {
  let width = 375;
  try { width = (wx.getWindowInfo ? wx.getWindowInfo() : wx.getSystemInfoSync()).windowWidth || 375; } catch (e) { /* keep 375 */ }
  return Math.round((40 * width / 750) * textScale() * 10) / 10;
}

const elderMode = Behavior({
  data: { pageStyle: '' },
  lifetimes: {
    attached() { this.setData({ pageStyle: `font-size: ${fontPx()}px;` }); },
  },
});

module.exports = { elderMode, fontPx, textScale, BIG_TYPE };
