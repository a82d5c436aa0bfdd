/**
 * Where the shopper is. The pages route with the URL's hash (`/nile/#/products/12`), so the server
 * serves one page at `/nile/` and every address can be reloaded and bookmarked.
 */
export type Route =
  | { name: 'home' }
  | { name: 'products'; q?: string; category?: string }
  | { name: 'product'; id: number }
  | { name: 'cart' }
  | { name: 'checkout' }
  | { name: 'orders' };

/** The route of a hash (`#/products?q=lamp`); anything unknown is the home page. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'products': {
      if (parts[1] !== undefined) {
        const id = Number(parts[1]);
        return Number.isSafeInteger(id) && id > 0 ? { name: 'product', id } : { name: 'products' };
      }
      const q = query.get('q')?.trim() || undefined;
      const category = query.get('category') || undefined;
      return { name: 'products', ...(q ? { q } : {}), ...(category ? { category } : {}) };
    }
    case 'cart':
      return { name: 'cart' };
    case 'checkout':
      return { name: 'checkout' };
    case 'orders':
      return { name: 'orders' };
    default:
      return { name: 'home' };
  }
}

/** The hash of a route, the inverse of parseRoute. */
export function routeHash(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'products': {
      const query = new URLSearchParams();
      if (route.q) query.set('q', route.q);
      if (route.category) query.set('category', route.category);
      const search = query.toString();
      return search ? `#/products?${search}` : '#/products';
    }
    case 'product':
      return `#/products/${route.id}`;
    default:
      return `#/${route.name}`;
  }
}
