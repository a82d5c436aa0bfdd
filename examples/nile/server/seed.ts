import { inTransaction, type Pool } from '../../../src/db/pool.ts';
import { generateCatalog } from './catalog.ts';

/**
 * Inserts the catalogue unless it is there. Ids are fixed, so two servers seeding at once (or a seed
 * after a crash halfway) leave exactly one copy: `on conflict do nothing`.
 */
export async function seedCatalog(pool: Pool): Promise<void> {
  const present = await pool.query<{ count: number }>('select count(*)::int as count from nile.products');
  if ((present.rows[0]?.count ?? 0) > 0) return;
  const { products, reviews } = generateCatalog();
  await inTransaction(pool, async (client) => {
    await client.query(
      `insert into nile.products (id, name, description, price, category, brand, rating, shipping_speed, image_path)
       select * from jsonb_to_recordset($1::jsonb) as p(id int, name text, description text, price numeric,
         category text, brand text, rating numeric, "shippingSpeed" text, "imagePath" text)
       on conflict (id) do nothing`,
      [JSON.stringify(products)],
    );
    await client.query(
      `insert into nile.reviews (id, product_id, reviewer_name, rating, review_text, review_date)
       select * from jsonb_to_recordset($1::jsonb) as r(id int, "productId" int, "reviewerName" text,
         rating int, text text, "reviewDate" date)
       on conflict (id) do nothing`,
      [JSON.stringify(reviews)],
    );
  });
}
