// 长辈模式 check, run by ./eldercare.sh test: every text size, tap target and text colour in the mini-program meets
// the sizes the project holds itself to (MIIT's 适老化 rules for apps: text that scales, targets of 60 dp):
//   - font sizes in rpx of at least 40rpx, or in em of at least 1 (em of the page's 40rpx, which scales with
//     WeChat's font setting); px does not scale and is refused;
//   - everything tappable (a button, anything with bindtap/catchtap) has a class giving it min-height or height of
//     at least 120rpx;
//   - text colour at least 4.5:1 against the rule's own background (white where it sets none; WCAG 2.x contrast);
//   - no WeChat-coloured buttons (type="primary"/"warn": white on #07c160 is 2.3:1), no disabled buttons (WeChat
//     greys their text to about 2:1; pages ignore the tap instead), and inputs' placeholder text in a checked class.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
const MIN_TEXT_RPX = 40;
const MIN_TARGET_RPX = 120;
const MIN_CONTRAST = 4.5;
const problems = [];
const counts = { rules: 0, sizes: 0, targets: 0, colours: 0 };

/** The rules of a style sheet: [{ selectors, declarations: { property: value } }]. */
function rulesOf(file) {
  const css = fs.readFileSync(path.join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const rules = [];
  for (const [, selectorText, body] of css.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const declarations = {};
    for (const part of body.split(';')) {
      const at = part.indexOf(':');
      if (at > 0) declarations[part.slice(0, at).trim()] = part.slice(at + 1).trim();
    }
    rules.push({ file, selectors: selectorText.split(',').map((s) => s.trim()), declarations });
  }
  return rules;
}

function hex(value) {
  const m = /#([0-9a-f]{3}|[0-9a-f]{6})\b/i.exec(value || '');
  if (!m) return null;
  const h = m[1].length === 3 ? m[1].split('').map((c) => c + c).join('') : m[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

function luminance([r, g, b]) {
  const channel = (c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function checkRules(rules) {
  for (const rule of rules) {
    counts.rules++;
    const d = rule.declarations;
    const where = `${rule.file} ${rule.selectors.join(', ')}`;
    if (d['font-size']) {
      counts.sizes++;
      const m = /^([\d.]+)(rpx|em)$/.exec(d['font-size']);
      if (!m) problems.push(`${where}: font-size ${d['font-size']} does not scale; use rpx (page) or em`);
      else if (m[2] === 'rpx' && Number(m[1]) < MIN_TEXT_RPX) problems.push(`${where}: font-size ${d['font-size']} is below ${MIN_TEXT_RPX}rpx`);
      else if (m[2] === 'em' && Number(m[1]) < 1) problems.push(`${where}: font-size ${d['font-size']} is below 1em (${MIN_TEXT_RPX}rpx)`);
    }
    const background = hex(d.background || d['background-color']);
    const colour = hex(d.color);
    if (colour || background) {
      counts.colours++;
      // Text without its own colour inherits the page's #1a1a1a; a rule without a background sits on white.
      const ratio = contrast(colour || [0x1a, 0x1a, 0x1a], background || [255, 255, 255]);
      if (ratio < MIN_CONTRAST) problems.push(`${where}: text contrast ${ratio.toFixed(2)}:1 is below ${MIN_CONTRAST}:1`);
    }
  }
}

function rpx(value) {
  const m = /^([\d.]+)rpx$/.exec(value || '');
  return m ? Number(m[1]) : 0;
}

/** The height a class gives, in rpx (min-height or height), from the rules that apply to this file. */
function targetHeight(className, rules) {
  let best = 0;
  for (const rule of rules) {
    if (!rule.selectors.some((s) => new RegExp(`(^|[\\s>+~])\\.${className}(\\.[\\w-]+)*$`).test(s) || s === `.${className}`)) continue;
    best = Math.max(best, rpx(rule.declarations['min-height']), rpx(rule.declarations.height));
  }
  return best;
}

/** The classes an element may have: its static class names, and every quoted name inside {{ }} (each alternative). */
function classChoices(classAttr) {
  const fixed = classAttr.replace(/\{\{[\s\S]*?\}\}/g, ' ').split(/\s+/).filter(Boolean);
  const dynamic = [...classAttr.matchAll(/\{\{([\s\S]*?)\}\}/g)].flatMap(([, e]) => [...e.matchAll(/'([\w-]+)'/g)].map((m) => m[1]));
  return { fixed, dynamic };
}

function checkWxml(file, rules) {
  const wxml = fs.readFileSync(path.join(root, file), 'utf8');
  for (const [tag] of wxml.matchAll(/<(button|view|text|image|input)\b[^>]*>/g)) {
    const isButton = tag.startsWith('<button');
    const tappable = isButton || /\b(bind|catch):?tap=/.test(tag);
    const id = (/\bid="([^"]*)"/.exec(tag) || [])[1] || tag.slice(0, 40);
    if (isButton && /\btype="(primary|warn)"/.test(tag)) problems.push(`${file} #${id}: type="primary"/"warn" buttons are WeChat green or red under white text (below 4.5:1)`);
    if (/\bdisabled=/.test(tag)) problems.push(`${file} #${id}: a disabled button's text is greyed to about 2:1; ignore the tap in the page instead`);
    if (tag.startsWith('<input') && /\bplaceholder=/.test(tag)) {
      const placeholderClass = (/\bplaceholder-class="([\w-]+)"/.exec(tag) || [])[1];
      if (!placeholderClass) problems.push(`${file} #${id}: placeholder text without placeholder-class is WeChat's grey (3.9:1)`);
      else if (!rules.some((r) => r.selectors.includes(`.${placeholderClass}`) && hex(r.declarations.color))) problems.push(`${file} #${id}: placeholder-class ${placeholderClass} sets no colour`);
    }
    if (!tappable) continue;
    counts.targets++;
    const { fixed, dynamic } = classChoices((/\bclass="([^"]*)"/.exec(tag) || [])[1] || '');
    const fixedHeight = Math.max(0, ...fixed.map((c) => targetHeight(c, rules)));
    const ok = fixedHeight >= MIN_TARGET_RPX || (dynamic.length > 0 && dynamic.every((c) => targetHeight(c, rules) >= MIN_TARGET_RPX));
    if (!ok) problems.push(`${file} #${id}: a tap target needs a class with min-height of at least ${MIN_TARGET_RPX}rpx`);
  }
}

const appRules = rulesOf('app.wxss');
checkRules(appRules);
for (const page of app.pages) {
  const own = rulesOf(`${page}.wxss`);
  checkRules(own);
  checkWxml(`${page}.wxml`, [...appRules, ...own]); // a page gets app.wxss and its own sheet
}
const components = [...fs.readdirSync(path.join(root, 'components')).map((c) => `components/${c}/index`), 'custom-tab-bar/index'];
for (const component of components) {
  const own = rulesOf(`${component}.wxss`);
  checkRules(own);
  checkWxml(`${component}.wxml`, own); // components are style-isolated: only their own sheet applies
}

if (problems.length) {
  console.error(`elder-mode style check: ${problems.length} problem(s)`);
  problems.forEach((p) => console.error(`  ${p}`));
  process.exit(1);
}
console.log(`elder-mode style check: ${counts.rules} rules, ${counts.sizes} font sizes, ${counts.targets} tap targets, ${counts.colours} colour pairs; all text >= ${MIN_TEXT_RPX}rpx, targets >= ${MIN_TARGET_RPX}rpx, contrast >= ${MIN_CONTRAST}:1`);
