import type { Queryable } from '../../../src/db/pool.ts';
import type { Order } from '../protocol.ts';
import { productColumns, productFromRow, type ProductRow } from './products-db.ts';

/** `ORD-<yyyymmddHHMMSS>-<6 hex>`: readable, and unique without a sequence. */
export function orderId(at: Date, suffix: string): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `ORD-${stamp}-${suffix}`;
}

export async function insertOrder(
  db: Queryable,
  order: {
    id: string;
    shopperId: string;
    at: Date;
    lines: readonly { productId: number; quantity: number; price: number }[];
  },
): Promise<void> {
  const total = order.lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
  await db.query('insert into nile.orders (id, shopper_id, total, created_at) values ($1, $2, $3, $4)', [
    order.id,
    order.shopperId,
    Math.round(total * 100) / 100,
    order.at,
  ]);
}

export async function insertOrderItems(
  db: Queryable,
  orderIdValue: string,
  lines: readonly { productId: number; quantity: number; price: number }[],
): Promise<void> {
  await db.query(
    `insert into nile.order_items (order_id, product_id, quantity, price_at_purchase)
     select $1, * from unnest($2::int[], $3::int[], $4::numeric[])`,
    [
      orderIdValue,
      lines.map((line) => line.productId),
      lines.map((line) => line.quantity),
      lines.map((line) => line.price),
    ],
  );
}

export async function readOrders(db: Queryable, shopperId: string, id?: string): Promise<Order[]> {
  const rows = await db.query<
    ProductRow & {
      order_id: string;
      created_at: Date;
      total: number;
      quantity: number;
      price_at_purchase: number;
    }
  >(
    `select o.id as order_id, o.created_at, o.total, i.quantity, i.price_at_purchase, ${productColumns}
     from nile.orders o join nile.order_items i on i.order_id = o.id join nile.products p on p.id = i.product_id
     where o.shopper_id = $1 and ($2::text is null or o.id = $2)
     order by o.created_at desc, o.id, p.id`,
    [shopperId, id ?? null],
  );
  const orders = new Map<string, Order>();
  for (const row of rows.rows) {
    let order = orders.get(row.order_id);
    if (!order) {
      order = {
        id: row.order_id,
        createdAt: row.created_at.toISOString(),
        total: Number(row.total),
        items: [],
      };
      orders.set(row.order_id, order);
    }
    order.items.push({
      product: productFromRow(row),
      quantity: row.quantity,
      priceAtPurchase: Number(row.price_at_purchase),
    });
  }
  return [...orders.values()];
}
