// A tab page marks its tab in the custom tab bar when it is shown (WeChat gives each tab page its own tab bar instance).
function markTab(page, index) {
  const bar = typeof page.getTabBar === 'function' ? page.getTabBar() : null;
  if (bar) bar.setData({ selected: index });
}

module.exports = { markTab };
