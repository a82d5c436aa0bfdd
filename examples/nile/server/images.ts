import type { Product } from '../protocol.ts';

const palette: Record<string, [string, string]> = {
  Electronics: ['#1e3a8a', '#60a5fa'],
  'Home & Kitchen': ['#7c2d12', '#fb923c'],
  Books: ['#4c1d95', '#a78bfa'],
  'Sports & Outdoors': ['#14532d', '#4ade80'],
  'Toys & Games': ['#831843', '#f472b6'],
  Beauty: ['#701a75', '#e879f9'],
  Clothing: ['#134e4a', '#2dd4bf'],
  Garden: ['#365314', '#a3e635'],
};

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A product's picture, drawn from its data (no image files to ship): its category's colours, its
 * initials, its name. Everything interpolated is escaped; nothing comes from a request but the id.
 */
export function productImageSvg(product: Pick<Product, 'id' | 'name' | 'category' | 'brand'>): string {
  const [dark, light] = palette[product.category] ?? ['#334155', '#94a3b8'];
  const words = product.name.split(' ');
  const initials = words
    .slice(-2)
    .map((word) => word[0] ?? '')
    .join('');
  const angle = (product.id * 37) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400" role="img" aria-label="${escapeXml(product.name)}">
<defs><linearGradient id="g" gradientTransform="rotate(${angle} 0.5 0.5)"><stop offset="0" stop-color="${dark}"/><stop offset="1" stop-color="${light}"/></linearGradient></defs>
<rect width="400" height="400" fill="url(#g)"/>
<circle cx="200" cy="170" r="90" fill="#ffffff" fill-opacity="0.18"/>
<text x="200" y="200" text-anchor="middle" font-family="system-ui, sans-serif" font-size="84" font-weight="700" fill="#ffffff">${escapeXml(initials)}</text>
<text x="200" y="320" text-anchor="middle" font-family="system-ui, sans-serif" font-size="22" fill="#ffffff">${escapeXml(words.slice(1).join(' ').slice(0, 30))}</text>
<text x="200" y="352" text-anchor="middle" font-family="system-ui, sans-serif" font-size="16" fill="#ffffff" fill-opacity="0.8">${escapeXml(product.brand)}</text>
</svg>`;
}
