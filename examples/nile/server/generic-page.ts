import type { Queryable } from '../../../src/db/pool.ts';
import type { HomeSection } from '../protocol.ts';
import { findRelatedProducts } from './products-db.ts';

/**
 * The page for someone the shop knows nothing about, and the fallback when generation fails: a slogan,
 * then the best-rated products (leaving out what is in the cart), six in a carousel, four in a square,
 * four in cards.
 */
export async function genericPage(db: Queryable, excludeIds: readonly number[] = []): Promise<HomeSection[]> {
  const products = await findRelatedProducts(db, { excludeIds: [...excludeIds], limit: 14 });
  return [
    {
      index: 0,
      type: 'generic-slogan',
      title: null,
      subtitle: null,
      sloganText: 'Everything you need, delivered along the Nile.',
      products: [],
    },
    {
      index: 1,
      type: 'carousel',
      title: 'Top rated',
      subtitle: null,
      sloganText: null,
      products: products.slice(0, 6),
    },
    {
      index: 2,
      type: 'basic-square',
      title: 'Shoppers love these',
      subtitle: null,
      sloganText: null,
      products: products.slice(6, 10),
    },
    {
      index: 3,
      type: 'card',
      title: 'Worth a look',
      subtitle: null,
      sloganText: null,
      products: products.slice(10, 14),
    },
  ];
}
