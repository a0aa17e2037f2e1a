// How the console writes money, numbers and times: rupiah as people write them
// (Rp 12.500), times in the operator's time zone (business.time_zone).
let zone = 'Asia/Jakarta';
let dateTime = null;
let dateOnly = null;

export function setTimeZone(name) {
  try {
    dateTime = new Intl.DateTimeFormat('id-ID', {
      timeZone: name, day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
      second: '2-digit', hour12: false,
    });
    dateOnly = new Intl.DateTimeFormat('en-CA', { timeZone: name, year: 'numeric', month: '2-digit', day: '2-digit' });
    zone = name;
  } catch (e) {
    // An offset such as "+07:00" that this browser does not know: keep the last zone.
    if (!dateTime) setTimeZone('UTC');
  }
}
setTimeZone(zone);

export const timeZone = () => zone;

const thousands = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });

export function number(n) {
  return thousands.format(Number(n) || 0);
}

// 12500 -> "Rp 12.500"; -3000 -> "−Rp 3.000".
export function rupiah(n) {
  const v = Number(n) || 0;
  return `${v < 0 ? '−' : ''}Rp ${thousands.format(Math.abs(v))}`;
}

// Short form for chart axes: Rp 1,2 jt, Rp 350 rb.
export function rupiahShort(n) {
  const v = Math.abs(Number(n) || 0);
  const sign = n < 0 ? '−' : '';
  if (v >= 1e9) return `${sign}Rp ${(v / 1e9).toLocaleString('id-ID', { maximumFractionDigits: 1 })} M`;
  if (v >= 1e6) return `${sign}Rp ${(v / 1e6).toLocaleString('id-ID', { maximumFractionDigits: 1 })} jt`;
  if (v >= 1e3) return `${sign}Rp ${(v / 1e3).toLocaleString('id-ID', { maximumFractionDigits: 1 })} rb`;
  return rupiah(n);
}

// Unix seconds -> "21 Nov 2026 14.05.09" in the operator's zone; "" for 0.
export function time(t) {
  return t ? dateTime.format(new Date(t * 1000)) : '';
}

// Today's date (YYYY-MM-DD) in the operator's zone, `days` ago.
export function dateInZone(daysAgo = 0) {
  return dateOnly.format(new Date(Date.now() - daysAgo * 86400000));
}

// "Rp 12.500" / "12500" / "12.500" -> 12500; NaN when not a whole number of rupiah.
export function parseRupiah(s) {
  const t = String(s).trim().replace(/^rp\s*/i, '').replace(/\./g, '');
  return /^-?\d+$/.test(t) ? Number(t) : NaN;
}

export const statusLabel = {
  waiting: 'Waiting', processing: 'Processing', success: 'Success', partial: 'Partial', error: 'Error',
};
export const kindLabel = { 'social-media': 'Social media', game: 'Game' };
