import type { Queryable } from '../../../src/db/pool.ts';
import type { Product, Review, ShippingSpeed } from '../protocol.ts';

export const productColumns =
  'p.id, p.name, p.description, p.price, p.category, p.brand, p.rating, p.shipping_speed, p.image_path';

export interface ProductRow {
  id: number;
  name: string;
  description: string;
  price: number;
  category: string;
  brand: string;
  rating: number;
  shipping_speed: ShippingSpeed;
  image_path: string;
}

export function productFromRow(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: Number(row.price),
    category: row.category,
    brand: row.brand,
    rating: Number(row.rating),
    shippingSpeed: row.shipping_speed,
    imageUrl: row.image_path,
  };
}

/** `%`, `_` and `\` in a search are literal characters, not patterns. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listProducts(
  db: Queryable,
  filter: { category?: string; q?: string; limit: number; offset: number },
): Promise<{ products: Product[]; total: number }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (filter.category) {
    values.push(filter.category);
    conditions.push(`lower(p.category) = lower($${values.length})`);
  }
  if (filter.q) {
    values.push(likePattern(filter.q));
    const n = values.length;
    conditions.push(`(p.name ilike $${n} or p.brand ilike $${n} or p.category ilike $${n})`);
  }
  const where = conditions.length ? `where ${conditions.join(' and ')}` : '';
  const total = await db.query<{ count: number }>(
    `select count(*)::int as count from nile.products p ${where}`,
    values,
  );
  const rows = await db.query<ProductRow>(
    `select ${productColumns} from nile.products p ${where} order by p.id limit $${values.length + 1} offset $${values.length + 2}`,
    [...values, filter.limit, filter.offset],
  );
  return { products: rows.rows.map(productFromRow), total: total.rows[0]?.count ?? 0 };
}

export async function listCategories(db: Queryable): Promise<{ name: string; count: number }[]> {
  const rows = await db.query<{ name: string; count: number }>(
    'select category as name, count(*)::int as count from nile.products group by category order by category',
  );
  return rows.rows;
}

export async function listBrands(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ brand: string }>('select distinct brand from nile.products order by brand');
  return rows.rows.map((row) => row.brand);
}

export async function productById(db: Queryable, id: number): Promise<Product | undefined> {
  const rows = await db.query<ProductRow>(`select ${productColumns} from nile.products p where p.id = $1`, [
    id,
  ]);
  return rows.rows[0] && productFromRow(rows.rows[0]);
}

/** The products of `ids` that exist, in the order of `ids`. */
export async function productsByIds(db: Queryable, ids: readonly number[]): Promise<Product[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<ProductRow>(
    `select ${productColumns} from nile.products p where p.id = any($1::int[])`,
    [ids],
  );
  const byId = new Map(rows.rows.map((row) => [row.id, productFromRow(row)]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

export async function reviewsOf(db: Queryable, productId: number): Promise<Review[]> {
  const rows = await db.query<{
    id: number;
    reviewer_name: string;
    rating: number;
    review_text: string;
    review_date: string;
  }>(
    `select id, reviewer_name, rating, review_text, to_char(review_date, 'YYYY-MM-DD') as review_date
     from nile.reviews where product_id = $1 order by review_date desc, id`,
    [productId],
  );
  return rows.rows.map((row) => ({
    id: row.id,
    reviewerName: row.reviewer_name,
    rating: row.rating,
    text: row.review_text,
    reviewDate: row.review_date,
  }));
}

export interface RelatedFilter {
  category?: string;
  brand?: string;
  minPrice?: number;
  maxPrice?: number;
  minRating?: number;
  excludeIds?: number[];
  limit: number;
}

/** find_related_products: best rated first, then by id (the same answer for the same question). */
export async function findRelatedProducts(db: Queryable, filter: RelatedFilter): Promise<Product[]> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(values.length));
  };
  if (filter.category) add((n) => `lower(p.category) = lower($${n})`, filter.category);
  if (filter.brand) add((n) => `lower(p.brand) = lower($${n})`, filter.brand);
  if (filter.minPrice !== undefined) add((n) => `p.price >= $${n}`, filter.minPrice);
  if (filter.maxPrice !== undefined) add((n) => `p.price <= $${n}`, filter.maxPrice);
  if (filter.minRating !== undefined) add((n) => `p.rating >= $${n}`, filter.minRating);
  if (filter.excludeIds?.length) add((n) => `p.id <> all($${n}::int[])`, filter.excludeIds);
  const where = conditions.length ? `where ${conditions.join(' and ')}` : '';
  values.push(filter.limit);
  const rows = await db.query<ProductRow>(
    `select ${productColumns} from nile.products p ${where} order by p.rating desc, p.id limit $${values.length}`,
    values,
  );
  return rows.rows.map(productFromRow);
}
