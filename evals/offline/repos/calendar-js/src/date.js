const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Gregorian leap years: every fourth year, except century years. */
export function isLeapYear(year) {
  return year % 4 === 0 && year % 100 !== 0;
}

export function daysInMonth(year, month) {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses YYYY-MM-DD into { year, month, day }; a date that does not exist is a RangeError. */
export function parseDate(text) {
  const match = ISO_DATE.exec(text);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${text}`);
  const [year, month, day] = match.slice(1).map(Number);
  if (month < 1 || month > 12) throw new RangeError(`no month ${month} in ${text}`);
  if (day < 1 || day > daysInMonth(year, month)) throw new RangeError(`no day ${day} in ${text}`);
  return { year, month, day };
}

export function formatDate({ year, month, day }) {
  const pad = (n, width) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}
