import type { ShippingSpeed } from '../protocol.ts';

/** A product of the seeded catalogue, as it is inserted. */
export interface CatalogProduct {
  id: number;
  name: string;
  description: string;
  price: number;
  category: string;
  brand: string;
  rating: number;
  shippingSpeed: ShippingSpeed;
  imagePath: string;
}

export interface CatalogReview {
  id: number;
  productId: number;
  reviewerName: string;
  rating: number;
  text: string;
  reviewDate: string;
}

interface CategorySpec {
  name: string;
  brands: string[];
  items: string[];
  adjectives: string[];
  priceRange: [number, number];
}

const categories: CategorySpec[] = [
  {
    name: 'Electronics',
    brands: ['Voltix', 'Lumen', 'Nordwave'],
    items: [
      'Wireless Earbuds',
      'Bluetooth Speaker',
      'USB-C Charger',
      'Smart Watch',
      'Noise-Cancelling Headphones',
      'Portable SSD',
      'Webcam',
      'Mechanical Keyboard',
      'E-Reader',
      'Action Camera',
      'Power Bank',
      'Wireless Mouse',
      'Smart Plug',
    ],
    adjectives: ['Compact', 'Pro', 'Ultra', 'Slim'],
    priceRange: [19, 349],
  },
  {
    name: 'Home & Kitchen',
    brands: ['Hearth', 'Copperleaf', 'Kitchenly'],
    items: [
      'Chef Knife',
      'Cast Iron Skillet',
      'Pour-Over Coffee Set',
      'Stand Mixer',
      'Bamboo Cutting Board',
      'Electric Kettle',
      'Dutch Oven',
      'Spice Rack',
      'Linen Tablecloth',
      'Glass Storage Set',
      'Toaster',
      'French Press',
    ],
    adjectives: ['Classic', 'Everyday', 'Heritage', 'Modern'],
    priceRange: [12, 289],
  },
  {
    name: 'Books',
    brands: ['Inkwell Press', 'Meridian Books', 'Paperkite'],
    items: [
      'Mystery Novel',
      'Cookbook',
      'Travel Guide',
      'Science Fiction Saga',
      'Poetry Collection',
      'History of the Sea',
      'Field Guide to Birds',
      'Graphic Novel',
      'Gardening Handbook',
      'Biography',
      'Programming Primer',
      "Children's Picture Book",
    ],
    adjectives: ['Illustrated', 'Collected', 'Pocket', 'Annotated'],
    priceRange: [8, 45],
  },
  {
    name: 'Sports & Outdoors',
    brands: ['Summit', 'Trailborn', 'Aquila'],
    items: [
      'Hiking Backpack',
      'Yoga Mat',
      'Camping Tent',
      'Water Bottle',
      'Trail Running Shoes',
      'Sleeping Bag',
      'Headlamp',
      'Resistance Bands',
      'Bike Helmet',
      'Trekking Poles',
      'Cooler Bag',
      'Climbing Chalk Bag',
      'Jump Rope',
    ],
    adjectives: ['Lightweight', 'All-Weather', 'Trail', 'Expedition'],
    priceRange: [9, 399],
  },
  {
    name: 'Toys & Games',
    brands: ['Puzzlebox', 'Kitekin', 'Marble & Co'],
    items: [
      'Jigsaw Puzzle',
      'Board Game',
      'Building Blocks',
      'Card Game',
      'Remote Control Car',
      'Plush Bear',
      'Wooden Train Set',
      'Science Kit',
      'Chess Set',
      'Kite',
      'Art Supplies Box',
      'Marble Run',
    ],
    adjectives: ['Family', 'Deluxe', 'Junior', 'Strategy'],
    priceRange: [7, 129],
  },
  {
    name: 'Beauty',
    brands: ['Bloom', 'Aurelia', 'Saltwater'],
    items: [
      'Face Serum',
      'Hand Cream',
      'Shampoo Bar',
      'Lip Balm Set',
      'Sunscreen SPF 50',
      'Facial Cleanser',
      'Body Oil',
      'Hair Dryer',
      'Night Cream',
      'Bath Salts',
      'Makeup Brush Set',
      'Perfume',
    ],
    adjectives: ['Gentle', 'Hydrating', 'Natural', 'Radiant'],
    priceRange: [6, 159],
  },
  {
    name: 'Clothing',
    brands: ['Fieldhouse', 'Loom & Thread', 'Northline'],
    items: [
      'Merino Sweater',
      'Rain Jacket',
      'Denim Jeans',
      'Linen Shirt',
      'Wool Socks',
      'Down Vest',
      'Canvas Sneakers',
      'Baseball Cap',
      'Leather Belt',
      'Scarf',
      'Hoodie',
      'Chino Shorts',
      'T-Shirt',
    ],
    adjectives: ['Organic', 'Relaxed', 'Tailored', 'Vintage'],
    priceRange: [14, 249],
  },
  {
    name: 'Garden',
    brands: ['Greenthumb', 'Terracotta', 'Willow'],
    items: [
      'Pruning Shears',
      'Watering Can',
      'Raised Garden Bed',
      'Seed Starter Kit',
      'Garden Gloves',
      'Compost Bin',
      'Hose Reel',
      'Bird Feeder',
      'Solar Lights',
      'Planter Pot',
      'Herb Garden Kit',
      'Wheelbarrow',
      'Rain Barrel',
    ],
    adjectives: ['Sturdy', 'Eco', 'Weatherproof', 'Cottage'],
    priceRange: [8, 219],
  },
];

const reviewers = [
  'Ada',
  'Bruno',
  'Chiara',
  'Dev',
  'Elif',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
];
const praise = [
  'Exactly as described, and it arrived quickly.',
  'Good value for the price; I would buy it again.',
  'Solid quality. It does what it should and looks nice.',
  'Better than I expected, my family loves it.',
  'Works well, although the packaging could be smaller.',
  'Decent, but I hoped for a little more.',
  'Not for me: it was smaller than I thought.',
];
const speeds: ShippingSpeed[] = ['standard', 'express', 'overnight'];

/** The same sequence of numbers in [0, 1) on every start: the catalogue is identical everywhere. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const catalogSize = 100;

/** The seeded catalogue: 100 products over eight categories, each with two to four reviews. */
export function generateCatalog(): { products: CatalogProduct[]; reviews: CatalogReview[] } {
  const random = seededRandom(0x4e696c65); // "Nile"
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const products: CatalogProduct[] = [];
  const reviews: CatalogReview[] = [];
  const itemIndex = categories.map(() => 0);
  for (let id = 1; id <= catalogSize; id++) {
    const categoryIndex = (id - 1) % categories.length;
    const category = categories[categoryIndex]!;
    const item = category.items[itemIndex[categoryIndex]! % category.items.length]!;
    itemIndex[categoryIndex]! += 1;
    const brand = pick(category.brands);
    const adjective = pick(category.adjectives);
    const [low, high] = category.priceRange;
    const price = Math.round((low + random() * (high - low)) * 100) / 100;
    const rating = Math.round((3 + random() * 2) * 10) / 10;
    products.push({
      id,
      name: `${brand} ${adjective} ${item}`,
      description:
        `The ${adjective.toLowerCase()} ${item.toLowerCase()} from ${brand}: ` +
        `${pick(['built to last', 'designed for every day', 'a favourite of our shoppers', 'made with care', 'small but mighty'])}, ` +
        `in our ${category.name.toLowerCase()} range.`,
      price,
      category: category.name,
      brand,
      rating,
      shippingSpeed: pick(speeds),
      imagePath: `/api/nile/products/${id}/image.svg`,
    });
    const count = 2 + Math.floor(random() * 3);
    for (let n = 0; n < count; n++) {
      const stars = Math.max(1, Math.min(5, Math.round(rating + (random() - 0.6) * 2)));
      const day = 1 + Math.floor(random() * 28);
      const month = 1 + Math.floor(random() * 12);
      reviews.push({
        id: id * 10 + n,
        productId: id,
        reviewerName: pick(reviewers),
        rating: stars,
        text: praise[Math.min(praise.length - 1, 5 - stars + Math.floor(random() * 2))]!,
        reviewDate: `2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      });
    }
  }
  return { products, reviews };
}

/** The categories' names, in catalogue order. */
export const catalogCategories: readonly string[] = categories.map((category) => category.name);
