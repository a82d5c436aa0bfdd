import { randomBytes } from 'node:crypto';
import { inTransaction, type Pool } from '../../../src/db/pool.ts';
import { RequestError } from '../../../src/server/http-errors.ts';
import type { CartResponse, Order, ProductDetailResponse } from '../protocol.ts';
import {
  addToCart,
  deleteCartLine,
  emptyCart,
  lockCart,
  lockCartLine,
  readCart,
  setCartQuantity,
} from './cart-db.ts';
import { recordAction } from './expertise-db.ts';
import { insertOrder, insertOrderItems, orderId, readOrders } from './orders-db.ts';
import { productById, reviewsOf } from './products-db.ts';

/**
 * The shop's actions (ACT), each in one transaction with what the shop learns from it (LEARN): the
 * expertise changes if and only if the action happened, and counts it once. After the commit the
 * shopper's open home pages hear of it (`acted`) and are generated afresh.
 */
export function createShop(pool: Pool, acted: (shopperId: string) => void) {
  async function afterCommit<T>(shopperId: string, work: Promise<T>): Promise<T> {
    const result = await work;
    acted(shopperId);
    return result;
  }

  function unknownProduct(id: number, field: string): RequestError {
    return new RequestError(404, 'not_found', `${field}: there is no product ${id}.`, field);
  }

  function unknownItem(id: number): RequestError {
    return new RequestError(404, 'not_found', `params.itemId: your cart has no item ${id}.`, 'params.itemId');
  }

  return {
    /** A product with its reviews; for a signed-in shopper one `viewed` action, in the same transaction. */
    async viewProduct(shopperId: string | undefined, id: number): Promise<ProductDetailResponse> {
      const work = inTransaction(pool, async (client) => {
        const product = await productById(client, id);
        if (!product) throw unknownProduct(id, 'params.id');
        const reviews = await reviewsOf(client, id);
        const expertise = shopperId
          ? await recordAction(client, shopperId, { kind: 'viewed', productId: id })
          : undefined;
        return { product, reviews, totalImprovements: expertise?.totalImprovements ?? null };
      });
      return shopperId ? afterCommit(shopperId, work) : work;
    },

    async addToCart(shopperId: string, productId: number, quantity: number): Promise<CartResponse> {
      return afterCommit(
        shopperId,
        inTransaction(pool, async (client) => {
          if (!(await productById(client, productId))) throw unknownProduct(productId, 'body.productId');
          await addToCart(client, shopperId, productId, quantity);
          await recordAction(client, shopperId, { kind: 'added_to_cart', productId });
          return readCart(client, shopperId);
        }),
      );
    },

    /** A new quantity; 0 or less removes the line (a `removed_from_cart` action). */
    async updateCartItem(shopperId: string, itemId: number, quantity: number): Promise<CartResponse> {
      if (quantity <= 0) return this.removeCartItem(shopperId, itemId);
      return inTransaction(pool, async (client) => {
        const line = await lockCartLine(client, shopperId, itemId);
        if (!line) throw unknownItem(itemId);
        await setCartQuantity(client, itemId, quantity);
        return readCart(client, shopperId);
      });
    },

    async removeCartItem(shopperId: string, itemId: number): Promise<CartResponse> {
      return afterCommit(
        shopperId,
        inTransaction(pool, async (client) => {
          const line = await lockCartLine(client, shopperId, itemId);
          if (!line) throw unknownItem(itemId);
          await recordAction(client, shopperId, { kind: 'removed_from_cart', productId: line.productId });
          await deleteCartLine(client, itemId);
          return readCart(client, shopperId);
        }),
      );
    },

    /** The cart becomes one order, learnt as one `checked_out` action, and is emptied. */
    async checkout(shopperId: string): Promise<Order> {
      return afterCommit(
        shopperId,
        inTransaction(pool, async (client) => {
          const lines = await lockCart(client, shopperId);
          if (lines.length === 0) {
            throw new RequestError(
              400,
              'cart_empty',
              'cart: there is nothing to check out; add a product first (POST /api/nile/cart).',
              'cart',
            );
          }
          const at = new Date();
          const id = orderId(at, randomBytes(3).toString('hex'));
          await insertOrder(client, { id, shopperId, at, lines });
          await recordAction(
            client,
            shopperId,
            { kind: 'checked_out', productIds: lines.map((line) => line.productId) },
            at,
          );
          await insertOrderItems(client, id, lines);
          await emptyCart(client, shopperId);
          return (await readOrders(client, shopperId, id))[0]!;
        }),
      );
    },
  };
}

export type Shop = ReturnType<typeof createShop>;
