import { inject, type InjectionKey } from 'vue';
import {
  cartResponse,
  categoriesResponse,
  checkoutResponse,
  expertiseResponse,
  homePageResponse,
  livePromptResponse,
  meResponse,
  nileRoutes,
  ordersResponse,
  productDetailResponse,
  productsResponse,
  signedOutResponse,
  type AddToCartBody,
  type ProductsQuery,
} from '@nile-protocol';
import { requestJson, type FetchLike } from '@baton-web/api/http.ts';

/**
 * The REST calls Nile's pages make, each answer checked against examples/nile/protocol.ts. Identity
 * travels as the HttpOnly `nile_session` cookie (and baton's token as its own cookie), so no script
 * holds either. A value, so the store tests pass their own.
 */
export function createNileApi(fetchImpl: FetchLike = (input, init) => fetch(input, init)) {
  const id = (value: number) => encodeURIComponent(String(value));
  return {
    async me() {
      return (await requestJson(fetchImpl, nileRoutes.me, meResponse)).shopper;
    },
    async signIn(name: string) {
      return (
        await requestJson(fetchImpl, nileRoutes.session, meResponse, { method: 'POST', body: { name } })
      ).shopper;
    },
    async signOut() {
      await requestJson(fetchImpl, nileRoutes.session, signedOutResponse, { method: 'DELETE' });
    },
    products(query: Omit<ProductsQuery, 'limit' | 'offset'> & { limit?: number; offset?: number } = {}) {
      const search = new URLSearchParams();
      if (query.q) search.set('q', query.q);
      if (query.category) search.set('category', query.category);
      if (query.limit !== undefined) search.set('limit', String(query.limit));
      if (query.offset !== undefined) search.set('offset', String(query.offset));
      const suffix = search.toString();
      return requestJson(fetchImpl, `${nileRoutes.products}${suffix ? `?${suffix}` : ''}`, productsResponse);
    },
    async categories() {
      return (await requestJson(fetchImpl, nileRoutes.categories, categoriesResponse)).categories;
    },
    /** The product and its reviews; for a signed-in shopper the server records the view (LEARN). */
    product(productId: number) {
      return requestJson(fetchImpl, `${nileRoutes.products}/${id(productId)}`, productDetailResponse);
    },
    cart() {
      return requestJson(fetchImpl, nileRoutes.cart, cartResponse);
    },
    addToCart(body: AddToCartBody) {
      return requestJson(fetchImpl, nileRoutes.cart, cartResponse, { method: 'POST', body });
    },
    setQuantity(itemId: number, quantity: number) {
      return requestJson(fetchImpl, `${nileRoutes.cart}/${id(itemId)}`, cartResponse, {
        method: 'PUT',
        body: { quantity },
      });
    },
    removeFromCart(itemId: number) {
      return requestJson(fetchImpl, `${nileRoutes.cart}/${id(itemId)}`, cartResponse, { method: 'DELETE' });
    },
    async checkout() {
      return (await requestJson(fetchImpl, nileRoutes.checkout, checkoutResponse, { method: 'POST' })).order;
    },
    async orders() {
      return (await requestJson(fetchImpl, nileRoutes.orders, ordersResponse)).orders;
    },
    expertise() {
      return requestJson(fetchImpl, nileRoutes.expertise, expertiseResponse);
    },
    clearExpertise() {
      return requestJson(fetchImpl, nileRoutes.expertise, expertiseResponse, { method: 'DELETE' });
    },
    livePrompt() {
      return requestJson(fetchImpl, nileRoutes.livePrompt, livePromptResponse);
    },
    /** The generic page: a new shopper's, and the fallback when the socket cannot be had. */
    async genericHome() {
      return (await requestJson(fetchImpl, nileRoutes.home, homePageResponse)).sections;
    },
  };
}

export type NileApi = ReturnType<typeof createNileApi>;

/** How the stores get the API: provided by main.ts (and by the store tests, with their own). */
export const nileApiKey: InjectionKey<NileApi> = Symbol('nile-api');

/** The API, inside a store's setup (Pinia runs it in the app's context, where main.ts provided it). */
export function useNileApi(): NileApi {
  const api = inject(nileApiKey);
  if (!api) throw new Error('the Nile API was not provided: app.provide(nileApiKey, createNileApi())');
  return api;
}
