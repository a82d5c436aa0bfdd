import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createSSRApp, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { SectionType, type HomeSection } from '@nile-protocol';
import { nileApiKey } from '../src/api/nile-api.ts';
import HomeSectionView from '../src/components/HomeSectionView.vue';
import { FakeShop, product, section } from './fake-shop.ts';

/** One section as the home page draws it: Vue's server renderer, so no DOM is needed. */
async function render(shown: HomeSection): Promise<string> {
  const app = createSSRApp({ render: () => h(HomeSectionView, { section: shown }) });
  app.provide(nileApiKey, new FakeShop().api());
  app.use(createPinia());
  return renderToString(app);
}

const productIds = (html: string) =>
  [...html.matchAll(/data-testid="product-tile" data-product-id="(\d+)"/g)].map((match) => Number(match[1]));

describe('the home sections, each kind drawn as its kind', () => {
  const many = [product(11), product(12), product(13), product(14)];
  const cases: Record<(typeof SectionType)[number], { shown: HomeSection; products: number[] }> = {
    'generic-slogan': {
      shown: { ...section(0, 'generic-slogan'), sloganText: 'Everything you need', subtitle: 'Since 2026' },
      products: [],
    },
    'specific-slogan': {
      shown: { ...section(1, 'specific-slogan'), sloganText: 'More in Books' },
      products: [],
    },
    'specific-upsell': { shown: section(2, 'specific-upsell', [product(21)]), products: [21] },
    'basic-square': { shown: section(3, 'basic-square', many), products: [11, 12, 13, 14] },
    carousel: { shown: section(4, 'carousel', many), products: [11, 12, 13, 14] },
    card: { shown: section(5, 'card', many), products: [11, 12, 13, 14] },
    'super-card': { shown: section(6, 'super-card', [product(31)]), products: [31] },
  };

  it('covers every kind the protocol has', () => {
    expect(Object.keys(cases).sort()).toEqual([...SectionType].sort());
  });

  for (const [type, { shown, products }] of Object.entries(cases)) {
    it(`${type}: its products (${products.length}), each with a link and an add-to-cart button`, async () => {
      const html = await render(shown);
      expect(html).toContain(`data-type="${type}"`);
      expect(html).toContain(`data-index="${shown.index}"`);
      expect(productIds(html)).toEqual(products);
      for (const id of products) {
        expect(html).toContain(`href="#/products/${id}"`);
        expect(html).toContain(`aria-label="Add Product ${id} to the cart"`);
      }
      if (shown.sloganText) expect(html).toContain(shown.sloganText);
      if (shown.subtitle) expect(html).toContain(shown.subtitle);
      if (shown.title && products.length > 1) expect(html).toContain(shown.title);
    });
  }

  it('a carousel can be scrolled by button and by keyboard; a card shows descriptions, a square does not', async () => {
    const carousel = await render(cases.carousel.shown);
    expect(carousel).toContain('aria-label="Scroll on"');
    expect(carousel).toMatch(/class="carousel-track"[^>]*tabindex="0"/);
    expect(await render(cases.card.shown)).toContain('The description of product 11.');
    expect(await render(cases['basic-square'].shown)).not.toContain('The description of product 11.');
    expect(await render(cases['super-card'].shown)).toContain('The description of product 31.');
  });

  it('text from the model is text: markup in a slogan is escaped, never run', async () => {
    const html = await render({
      ...section(0, 'specific-slogan'),
      sloganText: '<img src=x onerror="alert(1)">Deals',
    });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Deals');
  });
});
