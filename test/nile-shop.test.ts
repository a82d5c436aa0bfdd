import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nileMigrations, prepareNileDatabase } from '../examples/nile/server/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { useTestDatabase } from './helpers/database.ts';
import { useNile } from './helpers/nile.ts';

const db = useTestDatabase();
const setUp = useNile(db);

describe('Nile: schema, catalogue and sessions', () => {
  it('migrates the nile schema with its own version table and seeds the catalogue once', async () => {
    const nile = await setUp();
    const pool = nile.services.db.pool;
    const versions = await pool.query('select version, name from nile.migrations order by version');
    expect(versions.rows).toEqual([{ version: 1, name: 'shop' }]);
    const baton = await pool.query(`select count(*)::int as n from baton_migrations where name = 'shop'`);
    expect(baton.rows[0].n).toBe(0);
    expect(await applyMigrations(pool, nileMigrations)).toEqual([]);
    await prepareNileDatabase(pool); // a second start seeds nothing more
    const counts = await pool.query(
      `select (select count(*)::int from nile.products) as products,
              (select count(*)::int from nile.reviews) as reviews,
              (select count(distinct category)::int from nile.products) as categories`,
    );
    expect(counts.rows[0].products).toBe(100);
    expect(counts.rows[0].reviews).toBeGreaterThanOrEqual(200);
    expect(counts.rows[0].categories).toBe(8);

    const page = await nile.call('GET', '/api/nile/products?category=Books&limit=5');
    expect(page.status).toBe(200);
    expect(page.body.products).toHaveLength(5);
    expect(page.body.products.every((p: { category: string }) => p.category === 'Books')).toBe(true);
    const search = await nile.call('GET', '/api/nile/products?q=backpack');
    expect(search.body.products.length).toBeGreaterThan(0);
    expect(search.body.products.every((p: { name: string }) => /backpack/i.test(p.name))).toBe(true);
    const categories = await nile.call('GET', '/api/nile/products/categories');
    expect(categories.body.categories.reduce((sum: number, c: { count: number }) => sum + c.count, 0)).toBe(
      100,
    );
    const image = await nile.call('GET', '/api/nile/products/7/image.svg');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(String(image.body)).toContain('<svg');
  });

  it('signs in by name with an HttpOnly, SameSite=Strict cookie whose token is stored hashed', async () => {
    const nile = await setUp();
    const response = await nile.call('POST', '/api/nile/session', { body: { name: 'Ada' } });
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('nile_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const token = cookie.slice('nile_session='.length);
    const stored = await nile.services.db.pool.query('select token_hash from nile.sessions');
    expect(stored.rows.map((row) => row.token_hash)).toEqual([
      createHash('sha256').update(token).digest('hex'),
    ]);

    const me = await nile.call('GET', '/api/nile/me', { cookie });
    expect(me.body.shopper).toEqual(response.body.shopper);
    const again = await nile.signIn('Ada');
    expect((await nile.call('GET', '/api/nile/me', { cookie: again })).body.shopper.id).toBe(
      response.body.shopper.id,
    );

    await nile.call('DELETE', '/api/nile/session', { cookie });
    const after = await nile.call('GET', '/api/nile/me', { cookie });
    expect(after.status).toBe(401);
  });

  it('refuses a missing, forged or header-only identity, naming the cookie', async () => {
    const nile = await setUp();
    await nile.signIn('Bruno');
    const forged = `nile_session=${'A'.repeat(43)}`;
    for (const attempt of [{}, { cookie: forged }, { cookie: 'nile_session=not-a-token' }]) {
      const response = await nile.call('GET', '/api/nile/cart', attempt);
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({ code: 'not_signed_in', field: 'cookie.nile_session' });
    }
    const shopper = await nile.services.db.pool.query('select id from nile.shoppers');
    const header = await fetch(`${nile.origin}/api/nile/expertise`, {
      headers: {
        authorization: 'Bearer test-token-0123456789abcdefghijklmnopqrstuvwxyz',
        'x-user-id': shopper.rows[0].id,
      },
    });
    expect(header.status).toBe(401);
    // And without baton's access token nothing of Nile answers, session or not.
    const cookie = await nile.signIn('Bruno');
    const noToken = await fetch(`${nile.origin}/api/nile/cart`, { headers: { cookie } });
    expect(noToken.status).toBe(401);
  });

  it('names the field of every bad input', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Chiara');
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/nile/session', {}, 'body.name'],
      ['POST', '/api/nile/session', { name: '   ' }, 'body.name'],
      ['POST', '/api/nile/session', { name: 'x'.repeat(41) }, 'body.name'],
      ['POST', '/api/nile/cart', { productId: 'seven' }, 'body.productId'],
      ['POST', '/api/nile/cart', { productId: 7, quantity: 0 }, 'body.quantity'],
      ['POST', '/api/nile/cart', { productId: 7, colour: 'red' }, 'body.colour'],
      ['PUT', '/api/nile/cart/abc', { quantity: 1 }, 'params.itemId'],
      ['PUT', '/api/nile/cart/1', { quantity: 1.5 }, 'body.quantity'],
      ['GET', '/api/nile/products?limit=abc', undefined, 'query.limit'],
      ['GET', '/api/nile/products?limit=1000', undefined, 'query.limit'],
      ['GET', '/api/nile/products/0', undefined, 'params.id'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await nile.call(method, path, { cookie, body });
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(response.body.error.field, `${method} ${path}`).toBe(field);
      expect(response.body.error.message).toContain(field);
    }
    const unknown = await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 999 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('body.productId');
    const empty = await nile.call('POST', '/api/nile/orders/checkout', { cookie });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'cart_empty', field: 'cart' });
  });
});

describe('Nile: LEARN, once per action, in the action’s transaction', () => {
  it('records one view per product page for a signed-in shopper, none without a session', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Dev');
    const anonymous = await nile.call('GET', '/api/nile/products/12');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.reviews.length).toBeGreaterThanOrEqual(2);
    expect(anonymous.body.totalImprovements).toBeNull();
    const first = await nile.call('GET', '/api/nile/products/12', { cookie });
    expect(first.body.totalImprovements).toBe(1);
    await nile.call('GET', '/api/nile/products/12', { cookie });
    const expertise = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;
    expect(expertise.totalImprovements).toBe(2);
    expect(expertise.data.viewed).toEqual([{ productId: 12, count: 2, lastAt: expect.any(String) }]);
    expect(expertise.lastImprovementAt).toBe(expertise.data.viewed[0].lastAt);
  });

  it('counts an add to the cart once', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Elif');
    const added = await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 5, quantity: 2 } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ totalItems: 2, items: [{ quantity: 2, product: { id: 5 } }] });
    let expertise = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;
    expect(expertise.totalImprovements).toBe(1);
    expect(expertise.data.addedToCart).toEqual([{ productId: 5, count: 1, lastAt: expect.any(String) }]);
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 5 } });
    expertise = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;
    expect(expertise.totalImprovements).toBe(2);
    expect(expertise.data.addedToCart[0].count).toBe(2);
    const cart = (await nile.call('GET', '/api/nile/cart', { cookie })).body;
    expect(cart.items).toHaveLength(1);
    expect(cart.items[0].quantity).toBe(3);
    // Changing a quantity is not an action the shop learns from.
    await nile.call('PUT', `/api/nile/cart/${cart.items[0].id}`, { cookie, body: { quantity: 7 } });
    expect((await nile.call('GET', '/api/nile/expertise', { cookie })).body.totalImprovements).toBe(2);
  });

  it('learns a removal with the removal, and not at all when the removal fails', async () => {
    const nile = await setUp();
    const pool = nile.services.db.pool;
    const cookie = await nile.signIn('Farid');
    const other = await nile.signIn('Greta');
    const cart = (await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 9 } })).body;
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 10 } });
    const itemId = cart.items[0].id;
    expect((await nile.call('DELETE', `/api/nile/cart/${itemId}`, { cookie: other })).status).toBe(404);

    const before = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;
    // The database refuses the delete after the expertise was written in the same transaction.
    await pool.query(`create function nile.refuse() returns trigger language plpgsql as
      $$ begin raise exception 'refused by the test'; end $$`);
    await pool.query(
      'create trigger refuse_delete before delete on nile.cart_items for each row execute function nile.refuse()',
    );
    const failed = await nile.call('DELETE', `/api/nile/cart/${itemId}`, { cookie });
    expect(failed.status).toBe(500);
    expect((await nile.call('GET', '/api/nile/expertise', { cookie })).body).toEqual(before);
    const viaPut = await nile.call('PUT', `/api/nile/cart/${itemId}`, { cookie, body: { quantity: 0 } });
    expect(viaPut.status).toBe(500);
    expect((await nile.call('GET', '/api/nile/expertise', { cookie })).body).toEqual(before);
    await pool.query('drop trigger refuse_delete on nile.cart_items');

    const removed = await nile.call('PUT', `/api/nile/cart/${itemId}`, { cookie, body: { quantity: 0 } });
    expect(removed.status).toBe(200);
    expect(removed.body.items.map((item: { product: { id: number } }) => item.product.id)).toEqual([10]);
    const after = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;
    expect(after.totalImprovements).toBe(before.totalImprovements + 1);
    expect(after.data.addedToCart.map((entry: { productId: number }) => entry.productId)).toEqual([10]);
    await pool.query('drop function nile.refuse()');
  });

  it('learns a checkout with the order, and leaves everything as it was when the order fails', async () => {
    const nile = await setUp();
    const pool = nile.services.db.pool;
    const cookie = await nile.signIn('Hiro');
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 21, quantity: 2 } });
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 22 } });
    const before = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;

    await pool.query(`create function nile.refuse_items() returns trigger language plpgsql as
      $$ begin raise exception 'no stock'; end $$`);
    await pool.query(
      'create trigger refuse_items before insert on nile.order_items for each row execute function nile.refuse_items()',
    );
    const failed = await nile.call('POST', '/api/nile/orders/checkout', { cookie });
    expect(failed.status).toBe(500);
    expect((await nile.call('GET', '/api/nile/expertise', { cookie })).body).toEqual(before);
    expect((await nile.call('GET', '/api/nile/cart', { cookie })).body.totalItems).toBe(3);
    expect((await nile.call('GET', '/api/nile/orders', { cookie })).body.orders).toEqual([]);
    await pool.query('drop trigger refuse_items on nile.order_items');
    await pool.query('drop function nile.refuse_items()');

    const done = await nile.call('POST', '/api/nile/orders/checkout', { cookie });
    expect(done.status).toBe(201);
    expect(done.body.order.id).toMatch(/^ORD-\d{14}-[0-9a-f]{6}$/);
    expect(done.body.order.items).toHaveLength(2);
    const price = (await nile.call('GET', '/api/nile/products/21')).body.product.price;
    const second = (await nile.call('GET', '/api/nile/products/22')).body.product.price;
    expect(done.body.order.total).toBeCloseTo(price * 2 + second, 2);
    expect((await nile.call('GET', '/api/nile/cart', { cookie })).body.items).toEqual([]);
    const after = (await nile.call('GET', '/api/nile/expertise', { cookie })).body;
    expect(after.totalImprovements).toBe(before.totalImprovements + 1);
    expect(after.data.addedToCart).toEqual([]);
    expect(after.data.checkedOut.map((e: { productId: number }) => e.productId).sort()).toEqual([21, 22]);
    expect((await nile.call('GET', '/api/nile/orders', { cookie })).body.orders).toEqual([done.body.order]);

    const reset = await nile.call('DELETE', '/api/nile/expertise', { cookie });
    expect(reset.body).toMatchObject({
      totalImprovements: 0,
      lastImprovementAt: null,
      data: { viewed: [], addedToCart: [], checkedOut: [] },
    });
  });

  it('shows the exact prompt the agent would get, with the signals in it', async () => {
    const nile = await setUp();
    const cookie = await nile.signIn('Ines');
    await nile.call('GET', '/api/nile/products/31', { cookie });
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: 32 } });
    const prompt = (await nile.call('GET', '/api/nile/expertise/live-prompt', { cookie })).body;
    expect(prompt.totalImprovements).toBe(2);
    expect(prompt.userPrompt).toMatch(/Stream each section/);
    expect(prompt.systemPrompt).toContain('<shopper_name>Ines</shopper_name>');
    expect(prompt.systemPrompt).not.toMatch(/\{\{/);
    expect(prompt.prefetchedProducts.viewed.map((p: { id: number }) => p.id)).toEqual([31]);
    expect(prompt.prefetchedProducts.addedToCart.map((p: { id: number }) => p.id)).toEqual([32]);
    expect(/<in_cart_products>\s*(.*?)\s*<\/in_cart_products>/s.exec(prompt.systemPrompt)![1]).toContain(
      '"id":32',
    );
  });

  it('serves the generic page, without what is in the cart', async () => {
    const nile = await setUp();
    const anonymous = (await nile.call('GET', '/api/nile/home')).body.sections;
    expect(anonymous.map((s: { type: string }) => s.type)).toEqual([
      'generic-slogan',
      'carousel',
      'basic-square',
      'card',
    ]);
    const top = anonymous[1].products[0].id;
    const cookie = await nile.signIn('Jaro');
    await nile.call('POST', '/api/nile/cart', { cookie, body: { productId: top } });
    const mine = (await nile.call('GET', '/api/nile/home', { cookie })).body.sections;
    const ids = mine.flatMap((s: { products: { id: number }[] }) => s.products.map((p) => p.id));
    expect(ids).not.toContain(top);
    expect(ids).toHaveLength(14);
  });
});
