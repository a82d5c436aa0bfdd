import type { Queryable } from '../../../src/db/pool.ts';
import type { CartResponse } from '../protocol.ts';
import { productColumns, productFromRow, type ProductRow } from './products-db.ts';

/** A cart line, locked for the change about to be made to it. */
export interface CartLine {
  id: number;
  productId: number;
  quantity: number;
}

export async function readCart(db: Queryable, shopperId: string): Promise<CartResponse> {
  const rows = await db.query<ProductRow & { item_id: number; quantity: number }>(
    `select c.id as item_id, c.quantity, ${productColumns}
     from nile.cart_items c join nile.products p on p.id = c.product_id
     where c.shopper_id = $1 order by c.added_at, c.id`,
    [shopperId],
  );
  const items = rows.rows.map((row) => ({
    id: row.item_id,
    quantity: row.quantity,
    product: productFromRow(row),
  }));
  const totalPrice = items.reduce((sum, item) => sum + item.product.price * item.quantity, 0);
  return {
    items,
    totalItems: items.reduce((sum, item) => sum + item.quantity, 0),
    totalPrice: Math.round(totalPrice * 100) / 100,
  };
}

/** Adds to the product's line (created if missing), at most 99 of one product. */
export async function addToCart(
  db: Queryable,
  shopperId: string,
  productId: number,
  quantity: number,
): Promise<void> {
  await db.query(
    `insert into nile.cart_items (shopper_id, product_id, quantity) values ($1, $2, $3)
     on conflict (shopper_id, product_id)
     do update set quantity = least(99, nile.cart_items.quantity + excluded.quantity)`,
    [shopperId, productId, quantity],
  );
}

/** The shopper's line of that id, locked; another shopper's line is not found. */
export async function lockCartLine(
  db: Queryable,
  shopperId: string,
  itemId: number,
): Promise<CartLine | undefined> {
  const rows = await db.query<{ id: number; product_id: number; quantity: number }>(
    'select id, product_id, quantity from nile.cart_items where id = $1 and shopper_id = $2 for update',
    [itemId, shopperId],
  );
  const row = rows.rows[0];
  return row && { id: row.id, productId: row.product_id, quantity: row.quantity };
}

export async function setCartQuantity(db: Queryable, itemId: number, quantity: number): Promise<void> {
  await db.query('update nile.cart_items set quantity = $2 where id = $1', [itemId, quantity]);
}

export async function deleteCartLine(db: Queryable, itemId: number): Promise<void> {
  await db.query('delete from nile.cart_items where id = $1', [itemId]);
}

/** The shopper's cart lines, locked, with the prices they are bought at. */
export async function lockCart(
  db: Queryable,
  shopperId: string,
): Promise<{ productId: number; quantity: number; price: number }[]> {
  const rows = await db.query<{ product_id: number; quantity: number; price: number }>(
    `select c.product_id, c.quantity, p.price from nile.cart_items c
     join nile.products p on p.id = c.product_id
     where c.shopper_id = $1 order by c.added_at, c.id for update of c`,
    [shopperId],
  );
  return rows.rows.map((row) => ({
    productId: row.product_id,
    quantity: row.quantity,
    price: Number(row.price),
  }));
}

export async function emptyCart(db: Queryable, shopperId: string): Promise<void> {
  await db.query('delete from nile.cart_items where shopper_id = $1', [shopperId]);
}

/** The product ids in the shopper's cart now. */
export async function cartProductIds(db: Queryable, shopperId: string): Promise<number[]> {
  const rows = await db.query<{ product_id: number }>(
    'select product_id from nile.cart_items where shopper_id = $1',
    [shopperId],
  );
  return rows.rows.map((row) => row.product_id);
}
