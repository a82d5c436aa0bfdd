/** Dollars as the shop shows them: `$1,234.50`. */
export function money(value: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(value);
}

/** A rating out of five, for the eye and for a screen reader. */
export function stars(rating: number): { text: string; label: string } {
  const full = Math.round(rating);
  return {
    text: '★'.repeat(full) + '☆'.repeat(Math.max(0, 5 - full)),
    label: `rated ${rating.toFixed(1)} out of 5`,
  };
}

export function shortDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function time(date: Date | string): string {
  const value = typeof date === 'string' ? new Date(date) : date;
  return value.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const shippingLabels = {
  standard: 'Standard shipping',
  express: 'Express shipping',
  overnight: 'Overnight shipping',
} as const;
