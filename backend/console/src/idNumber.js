// The resident ID number's check character (GB 11643-1999), checked as the clerk types, before the API checks again.
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checks = '10X98765432';

export function idNumberProblem(value) {
  const id = (value || '').trim().toUpperCase();
  if (id.length !== 18) return '身份证号应为18位';
  if (!/^\d{17}[\dX]$/.test(id)) return '前17位应是数字，最后一位是数字或X';
  const sum = [...id.slice(0, 17)].reduce((total, digit, i) => total + Number(digit) * weights[i], 0);
  if (checks[sum % 11] !== id[17]) return '身份证号校验不通过，请逐位核对';
  return '';
}
