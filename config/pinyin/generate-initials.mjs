// Writes initials.txt: the first letter of the pinyin of every CJK unified ideograph U+4E00..U+9FFF, read by the
// hub's PinyinInitials to find elders by name initials (王建国 → WJG). Line 1 holds one letter per character
// ('_' where there is none); line 2 the characters read differently as surnames (单 Shan, 曾 Zeng ...).
// Regenerate with:  npm install --no-save pinyin-pro@3.29.4 && node generate-initials.mjs
import { writeFileSync } from 'node:fs';
import { pinyin } from 'pinyin-pro';

const first = (text, options) => pinyin(text, { pattern: 'first', toneType: 'none', type: 'array', ...options })[0] ?? '';
const letter = (p) => (/^[a-z]$/.test(p) ? p.toUpperCase() : '_');

let letters = '';
const surnames = [];
for (let code = 0x4e00; code <= 0x9fff; code++) {
  const ch = String.fromCodePoint(code);
  const plain = letter(first(ch));
  letters += plain;
  const asSurname = letter(first(ch + '一', { surname: 'head' }));
  if (asSurname !== '_' && asSurname !== plain) surnames.push(ch + asSurname);
}
writeFileSync(new URL('initials.txt', import.meta.url), `${letters}\n${surnames.join('')}\n`);
