import type { Pool } from '../../../src/db/pool.ts';
import { RequestError } from '../../../src/server/http-errors.ts';
import type { Router } from '../../../src/server/route.ts';
import {
  addToCartBody,
  cartItemParams,
  productParams,
  productsQuery,
  updateCartBody,
  type CategoriesResponse,
  type ProductsResponse,
} from '../protocol.ts';
import { readCart } from './cart-db.ts';
import { productImageSvg } from './images.ts';
import { readOrders } from './orders-db.ts';
import { listCategories, listProducts, productById } from './products-db.ts';
import { currentShopper, requireShopper } from './session-cookie.ts';
import type { Shop } from './shop.ts';

/** The catalogue (open to anyone past baton's guard), the cart and the orders (a session's own). */
export function shopRoutes(router: Router, pool: Pool, shop: Shop): void {
  router.add({
    method: 'GET',
    url: '/api/nile/products',
    summary: 'Nile: products, by category and a plain-text search (name, brand, category)',
    query: productsQuery,
    async handler({ query }) {
      const { products, total } = await listProducts(pool, query);
      return { products, total, limit: query.limit, offset: query.offset } satisfies ProductsResponse;
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/products/categories',
    summary: 'Nile: the categories with how many products each has',
    async handler() {
      return { categories: await listCategories(pool) } satisfies CategoriesResponse;
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/products/:id',
    summary: 'Nile: one product with its reviews; records a view for a signed-in shopper',
    params: productParams,
    async handler({ params }, request) {
      const shopper = await currentShopper(pool, request);
      return shop.viewProduct(shopper?.id, params.id);
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/products/:id/image.svg',
    summary: "Nile: a product's picture (SVG drawn from its data)",
    params: productParams,
    async handler({ params }, _request, reply) {
      const product = await productById(pool, params.id);
      if (!product)
        throw new RequestError(404, 'not_found', `params.id: there is no product ${params.id}.`, 'params.id');
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('cache-control', 'private, max-age=86400')
        .send(productImageSvg(product));
    },
  });

  router.add({
    method: 'GET',
    url: '/api/nile/cart',
    summary: "Nile: the signed-in shopper's cart",
    async handler(_input, request) {
      return readCart(pool, (await requireShopper(pool, request)).id);
    },
  });
  router.add({
    method: 'POST',
    url: '/api/nile/cart',
    summary: 'Nile: add a product to the cart (learnt once, in the same transaction)',
    body: addToCartBody,
    status: 201,
    async handler({ body }, request) {
      const shopper = await requireShopper(pool, request);
      return shop.addToCart(shopper.id, body.productId, body.quantity);
    },
  });
  router.add({
    method: 'PUT',
    url: '/api/nile/cart/:itemId',
    summary: 'Nile: set the quantity of a cart item; 0 or less removes it',
    params: cartItemParams,
    body: updateCartBody,
    async handler({ params, body }, request) {
      const shopper = await requireShopper(pool, request);
      return shop.updateCartItem(shopper.id, params.itemId, body.quantity);
    },
  });
  router.add({
    method: 'DELETE',
    url: '/api/nile/cart/:itemId',
    summary: 'Nile: remove a cart item (learnt in the same transaction)',
    params: cartItemParams,
    async handler({ params }, request) {
      const shopper = await requireShopper(pool, request);
      return shop.removeCartItem(shopper.id, params.itemId);
    },
  });

  router.add({
    method: 'POST',
    url: '/api/nile/orders/checkout',
    summary: 'Nile: turn the cart into an order (learnt in the same transaction)',
    status: 201,
    async handler(_input, request) {
      const shopper = await requireShopper(pool, request);
      return { order: await shop.checkout(shopper.id) };
    },
  });
  router.add({
    method: 'GET',
    url: '/api/nile/orders',
    summary: "Nile: the signed-in shopper's orders, newest first",
    async handler(_input, request) {
      const shopper = await requireShopper(pool, request);
      return { orders: await readOrders(pool, shopper.id) };
    },
  });
}
