import { type CatalogPackage, findPackage, packagesForTelco } from '../domain/catalog.js';
import { builder } from './builder.js';
import { cacheHint } from './cache-hints.js';
import { TelcoEnum } from './telco.js';

export const PackageRef = builder.objectRef<CatalogPackage>('Package');

builder.node(PackageRef, {
  description:
    'A telco package the gateway can sell. Fields the vendor documents do not give are null, never guessed.',
  // A package is known by its carrier and code together: the id says which carrier sells it.
  id: { resolve: (p) => `${p.telco}:${p.code}` },
  loadWithoutCache: (key) => {
    const [telco, code] = key.split(':');
    const pkg = code ? findPackage(code) : undefined;
    // A copy: the relay plugin marks what it loads, and catalog entries are shared.
    return pkg && pkg.telco === telco ? { ...pkg } : null;
  },
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'The package code sent to the vendor, e.g. `6C120`.',
    }),
    telco: t.expose('telco', {
      type: TelcoEnum,
      description: 'The carrier that sells this package.',
    }),
    name: t.exposeString('name', { description: 'Display name.' }),
    price: t.exposeInt('priceVnd', {
      nullable: true,
      description: 'Price in VND, VAT included; null when the documents give none.',
    }),
    cycleDays: t.exposeInt('cycleDays', {
      nullable: true,
      description: 'Length of one billing cycle in days; null when the documents do not say.',
    }),
    benefits: t.exposeStringList('benefits', {
      description: 'What the subscriber gets, as listed in the documents; empty when none are.',
    }),
    description: t.exposeString('description', {
      description: 'A short description for clerks and apps.',
    }),
  }),
});

builder.queryField('packages', (t) =>
  t.field({
    type: [PackageRef],
    description:
      'The catalog: every package, or the packages of one carrier. Cacheable: PUBLIC, 300 seconds (README "Caching").',
    extensions: cacheHint(300),
    args: {
      telco: t.arg({
        type: TelcoEnum,
        required: false,
        description: 'Only packages of this carrier.',
      }),
    },
    resolve: (_root, args) => packagesForTelco(args.telco),
  }),
);
