// JavaScript: eslint's recommended rules for the mini-program runtime. WXML: eslint-plugin-wxml checks syntax,
// interpolations, keys and the common mistakes (wx:for with wx:if on one tag, duplicate attributes).
module.exports = {
  root: true,
  env: { es2021: true, node: true, jest: true },
  parserOptions: { ecmaVersion: 2021, sourceType: 'script' },
  globals: { wx: 'readonly', App: 'readonly', Page: 'readonly', Component: 'readonly', Behavior: 'readonly', getApp: 'readonly' },
  extends: ['eslint:recommended'],
  ignorePatterns: ['node_modules/'],
  overrides: [
    { files: ['tests/**/*.js'], env: { browser: true } },
    {
      files: ['*.wxml'],
      parser: '@wxml/parser',
      plugins: ['wxml'],
      rules: {
        'wxml/report-wxml-syntax-error': 'error',
        'wxml/report-interpolation-error': 'error',
        'wxml/no-duplicate-attributes': 'error',
        'wxml/no-wx-for-with-wx-if': 'error',
        'wxml/no-wx-for-with-wx-else': 'error',
        'wxml/no-unexpected-string-bool': 'error',
        'wxml/no-dot-this-in-wx-key': 'error',
        'wxml/wx-key': 'error',
        'wxml/no-inline-wxs': 'error',
        'wxml/quotes': ['error', 'double'],
      },
    },
  ],
};
