// Compiles every page's WXML and WXSS with WeChat's own compilers (wcc, wcsc from miniprogram-compiler), as WeChat
// DevTools does before an upload: a syntax error in any page fails here.
const path = require('path');
const fs = require('fs');
const { wxmlToJs, wxssToJs } = require('miniprogram-compiler');

const root = path.join(__dirname, '..');
const app = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8'));
let failed = false;

// The shared components (components/<name>/index) and the custom tab bar are compiled with the pages.
const components = [...fs.readdirSync(path.join(root, 'components')).map((c) => `components/${c}/index`), 'custom-tab-bar/index'];
for (const page of [...app.pages, ...components]) {
  for (const ext of ['js', 'json', 'wxml', 'wxss']) {
    if (!fs.existsSync(path.join(root, `${page}.${ext}`))) {
      console.error(`missing ${page}.${ext}`);
      failed = true;
    }
  }
}

const wxmlList = [...app.pages, ...components].map((p) => `${p}.wxml`);
const wxssList = ['app.wxss', ...[...app.pages, ...components].map((p) => `${p}.wxss`)];
try {
  // The compilers stop at the first syntax error with its file, line and column; their output names every page.
  const templates = wxmlToJs(root, { wxmlList });
  const styles = wxssToJs(root, { wxssList });
  for (const file of wxmlList) if (!templates.includes(file)) throw new Error(`wcc produced nothing for ${file}`);
  for (const file of wxssList) if (!styles.includes(`'${file}'`)) throw new Error(`wcsc produced nothing for ${file}`);
  console.log(`compiled ${wxmlList.length} pages and components (wcc) and ${wxssList.length} style sheets (wcsc)`);
} catch (e) {
  console.error(`compile error: ${e.message || e}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
