const { beijingTime, distance, when, yuan } = require('../utils/format.js');

describe('how times, distances and money are said', () => {
  it('says distances the way a neighbour would', () => {
    expect(distance(20)).toBe('约50米');
    expect(distance(420)).toBe('约400米');
    expect(distance(980)).toBe('约1.0公里'); // not "约1000米"
    expect(distance(1940)).toBe('约1.9公里');
    expect(distance(null)).toBe('');
  });

  it('says times in Beijing time, whatever the phone\'s zone', () => {
    expect(beijingTime('2026-12-04T01:30:00Z')).toBe('12月4日 9:30');
    expect(when('2026-12-04', '11:00:00')).toBe('12月4日 周五 上午11:00');
    expect(when('2026-12-04', '17:30:00')).toBe('12月4日 周五 下午5:30');
    expect(yuan(1050)).toBe('10.50元');
  });
});
