import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentScheme, gradeByCode, requireGrade } from '../../src/modules/brands/brands.service.js';
import { ValidationError } from '../../src/platform/errors.js';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import {
  CONFLICT_FIELDS, countRows, deniedType, ERROR_FIELDS, gid, insertBrand, insertCooperative, insertProducer, insertProduct, result, snapshot, unique,
} from '../producers/fixtures.js';

const CREATE_BRAND = /* GraphQL */ `
  mutation CreateBrand($input: CreateBrandInput!) {
    createBrand(input: $input) {
      __typename
      ... on Brand { id name commodity feePct defaultStrategy }
      ${ERROR_FIELDS}
      ${CONFLICT_FIELDS}
    }
  }`;

const UPDATE_BRAND = /* GraphQL */ `
  mutation UpdateBrand($input: UpdateBrandInput!) {
    updateBrand(input: $input) {
      __typename
      ... on Brand { id name feePct defaultStrategy }
      ${ERROR_FIELDS}
      ${CONFLICT_FIELDS}
    }
  }`;

const GRANT_ROLE = /* GraphQL */ `
  mutation GrantRole($input: GrantRoleInput!) {
    grantRole(input: $input) {
      __typename
      ... on RoleGrant { role organizationId }
      ${ERROR_FIELDS}
    }
  }`;

const CREATE_PRODUCT = /* GraphQL */ `
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      __typename
      ... on Product {
        id name species process form brand { id }
        currentGradeScheme { version preset grades { code label rank maxDefectValue maxMoisturePct minCuppingScore } }
      }
      ${ERROR_FIELDS}
    }
  }`;

const SET_SCHEME = /* GraphQL */ `
  mutation SetGradeScheme($input: SetGradeSchemeInput!) {
    setGradeScheme(input: $input) {
      __typename
      ... on GradeScheme { id version preset grades { code rank maxDefectValue minCuppingScore } product { id } }
      ${ERROR_FIELDS}
    }
  }`;

const PRODUCT_SCHEMES = /* GraphQL */ `
  query ProductSchemes($id: ID!) {
    node(id: $id) {
      ... on Product {
        currentGradeScheme { version }
        gradeSchemes { version preset grades { code rank maxDefectValue } }
      }
    }
  }`;

const BRANDS = /* GraphQL */ `
  query Brands($first: Int!, $products: Int!) {
    brands(first: $first) {
      edges { node { id name feePct products(first: $products) { edges { node { id name currentGradeScheme { version } } } } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const BRAND = /* GraphQL */ `query Brand($id: ID!) { brand(id: $id) { id name commodity feePct defaultStrategy createdAt } }`;

const CUSTOM_GRADES = [
  { code: 'SPECIALTY', label: 'Specialty', rank: 1, maxDefectValue: '5', maxMoisturePct: '12', minCuppingScore: '80' },
  { code: 'PREMIUM', label: 'Premium', rank: 2, maxDefectValue: '11', maxMoisturePct: '12.5' },
  { code: 'EXCHANGE', label: 'Exchange', rank: 3, maxDefectValue: '44', maxMoisturePct: '12.5' },
];

const productInput = (brandId: number, extra: Record<string, unknown> = {}) => ({
  brandId: gid('Brand', brandId),
  name: unique('Arabica green bean, fully washed'),
  commodity: 'coffee',
  species: 'ARABICA',
  process: 'WASHED',
  form: 'GREEN',
  gradeScheme: { preset: 'SNI_ARABICA' },
  ...extra,
});

describe('brands, products and grade schemes', () => {
  let t: TestApp;
  let admin: { id: number; token: string };
  let brand: { id: number };
  let otherBrand: { id: number };
  let manager: { id: number; token: string };
  let otherManager: { id: number; token: string };
  let curator: { id: number; token: string };
  let buyer: { id: number; token: string };
  let producerUser: { id: number; token: string };
  let coopManager: { id: number; token: string };

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    admin = await createUser(t, [['ADMIN']]);
    brand = await insertBrand(db);
    otherBrand = await insertBrand(db);
    manager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
    otherManager = await createUser(t, [['BRAND_MANAGER', otherBrand.id]]);
    curator = await createUser(t, [['CURATOR', brand.id]]);
    const buyerOrg = await db.insertInto('buyer_orgs').values({ name: 'Cairo Roasters', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    buyer = await createUser(t, [['BUYER', buyerOrg.id]]);
    const coop = await insertCooperative(db);
    const producer = await insertProducer(db, { cooperativeId: coop.id });
    producerUser = await createUser(t, [['PRODUCER', producer.id]]);
    coopManager = await createUser(t, [['COOP_MANAGER', coop.id]]);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('createBrand', () => {
    it('lets an admin create a brand with a fee and default strategy', async () => {
      const res = await t.gql(CREATE_BRAND, { input: { name: unique('Java Ijen-Raung Arabica'), commodity: 'coffee', feePct: '7.50', defaultStrategy: 'QUALITY_FIRST' } }, admin.token);
      const b = result(res, 'createBrand', 'Brand');
      expect(b.feePct).toBe('7.5');
      expect(b.defaultStrategy).toBe('QUALITY_FIRST');
    });

    it('defaults the strategy to PRO_RATA', async () => {
      const res = await t.gql(CREATE_BRAND, { input: { name: unique('Kopi Dampit'), commodity: 'coffee', feePct: '0' } }, admin.token);
      expect(result(res, 'createBrand', 'Brand').defaultStrategy).toBe('PRO_RATA');
    });

    for (const role of ['brand manager', 'curator', 'buyer', 'producer', 'cooperative manager', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const token = { 'brand manager': manager, curator, buyer, producer: producerUser, 'cooperative manager': coopManager, anonymous: null }[role]?.token ?? null;
        const before = await countRows(t.database.db, 'brands');
        const res = await t.gql(CREATE_BRAND, { input: { name: unique('Sneaky'), commodity: 'coffee', feePct: '5' } }, token);
        const [typename, code] = deniedType(token);
        result(res, 'createBrand', typename, code);
        expect(await countRows(t.database.db, 'brands')).toBe(before);
      });
    }

    it.each([
      [{ feePct: '101' }, 'input.feePct'],
      [{ feePct: '1.234' }, 'input.feePct'],
      [{ feePct: '-1' }, 'input.feePct'],
      [{ name: '   ' }, 'input.name'],
      [{ commodity: '' }, 'input.commodity'],
    ])('rejects bad input %o naming %s, writing nothing', async (patch, path) => {
      const before = await countRows(t.database.db, 'brands');
      const res = await t.gql(CREATE_BRAND, { input: { name: unique('Bad'), commodity: 'coffee', feePct: '5', ...patch } }, admin.token);
      const err = result(res, 'createBrand', 'ValidationError', 'VALIDATION_FAILED');
      expect(err.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await countRows(t.database.db, 'brands')).toBe(before);
    });

    it('rejects a duplicate name (case-insensitive) with a ConflictError', async () => {
      const name = unique('Kopi Ijen');
      result(await t.gql(CREATE_BRAND, { input: { name, commodity: 'coffee', feePct: '5' } }, admin.token), 'createBrand', 'Brand');
      const res = await t.gql(CREATE_BRAND, { input: { name: name.toUpperCase(), commodity: 'coffee', feePct: '5' } }, admin.token);
      expect(result(res, 'createBrand', 'ConflictError', 'CONFLICT').path).toBe('input.name');
    });
  });

  describe('appointing brand staff with grantRole', () => {
    it('lets an admin appoint a manager and a curator of a new brand, and the manager appoint a curator of their own brand only', async () => {
      const created = result(
        await t.gql(CREATE_BRAND, { input: { name: unique('Kopi Raung'), commodity: 'coffee', feePct: '5' } }, admin.token),
        'createBrand',
        'Brand',
      );
      const newManager = await createUser(t);
      const newCurator = await createUser(t);
      const laterCurator = await createUser(t);

      const appointManager = await t.gql(GRANT_ROLE, { input: { userId: gid('User', newManager.id), role: 'BRAND_MANAGER', organizationId: created.id } }, admin.token);
      expect(result(appointManager, 'grantRole', 'RoleGrant')).toEqual({ __typename: 'RoleGrant', role: 'BRAND_MANAGER', organizationId: created.id });
      const appointCurator = await t.gql(GRANT_ROLE, { input: { userId: gid('User', newCurator.id), role: 'CURATOR', organizationId: created.id } }, admin.token);
      expect(result(appointCurator, 'grantRole', 'RoleGrant').role).toBe('CURATOR');

      // The new manager's token carries no grants in itself: roles are read per request.
      await t.gql(GRANT_ROLE, { input: { userId: gid('User', laterCurator.id), role: 'CURATOR', organizationId: created.id } }, newManager.token);
      const written = await t.database.db.selectFrom('role_grants').selectAll().where('user_id', '=', laterCurator.id).execute();
      expect(written).toMatchObject([{ role: 'CURATOR', brand_id: Number(Buffer.from(created.id, 'base64').toString().split(':')[1]), granted_by: newManager.id }]);

      const before = await countRows(t.database.db, 'role_grants');
      const otherBrandGrant = await t.gql(
        GRANT_ROLE,
        { input: { userId: gid('User', laterCurator.id), role: 'CURATOR', organizationId: gid('Brand', otherBrand.id) } },
        newManager.token,
      );
      result(otherBrandGrant, 'grantRole', 'ForbiddenError', 'FORBIDDEN');
      const managerGrant = await t.gql(
        GRANT_ROLE,
        { input: { userId: gid('User', laterCurator.id), role: 'BRAND_MANAGER', organizationId: created.id } },
        newManager.token,
      );
      result(managerGrant, 'grantRole', 'ForbiddenError', 'FORBIDDEN');
      expect(await countRows(t.database.db, 'role_grants')).toBe(before);
    });
  });

  it('returns the RoleGrant a brand manager just made', async () => {
    const appointee = await createUser(t);
    const res = await t.gql(GRANT_ROLE, { input: { userId: gid('User', appointee.id), role: 'CURATOR', organizationId: gid('Brand', brand.id) } }, manager.token);
    expect(result(res, 'grantRole', 'RoleGrant').role).toBe('CURATOR');
  });

  describe('updateBrand', () => {
    it('lets the brand manager change fee, strategy and name', async () => {
      const res = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Brand', brand.id), feePct: '3.25', defaultStrategy: 'OLDEST_FIRST' } }, manager.token);
      const b = result(res, 'updateBrand', 'Brand');
      expect(b.feePct).toBe('3.25');
      expect(b.defaultStrategy).toBe('OLDEST_FIRST');
    });

    it('lets an admin rename a brand', async () => {
      const name = unique('Renamed');
      const res = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Brand', brand.id), name } }, admin.token);
      expect(result(res, 'updateBrand', 'Brand').name).toBe(name);
    });

    for (const role of ['other brand manager', 'curator', 'buyer', 'producer', 'anonymous'] as const) {
      it(`refuses a ${role} and changes nothing`, async () => {
        const token = { 'other brand manager': otherManager, curator, buyer, producer: producerUser, anonymous: null }[role]?.token ?? null;
        const before = await t.database.db.selectFrom('brands').selectAll().where('id', '=', brand.id).executeTakeFirstOrThrow();
        const res = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Brand', brand.id), feePct: '99' } }, token);
        const [typename, code] = deniedType(token);
        result(res, 'updateBrand', typename, code);
        const after = await t.database.db.selectFrom('brands').selectAll().where('id', '=', brand.id).executeTakeFirstOrThrow();
        expect(after).toEqual(before);
      });
    }

    it('rejects feePct 101 and a Lot ID where a Brand ID is expected', async () => {
      const fee = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Brand', brand.id), feePct: '101' } }, manager.token);
      expect(result(fee, 'updateBrand', 'ValidationError').issues[0].path).toBe('input.feePct');
      const wrongType = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Lot', brand.id), feePct: '5' } }, manager.token);
      expect(result(wrongType, 'updateBrand', 'ValidationError').issues[0].path).toBe('input.brandId');
      const unknown = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Brand', 999999), feePct: '5' } }, admin.token);
      expect(result(unknown, 'updateBrand', 'NotFoundError', 'NOT_FOUND').path).toBe('input.brandId');
    });
  });

  describe('createProduct', () => {
    it('lets the brand manager create a product with the SNI Arabica preset as scheme version 1', async () => {
      const res = await t.gql(CREATE_PRODUCT, { input: productInput(brand.id) }, manager.token);
      const p = result(res, 'createProduct', 'Product');
      expect(p.brand.id).toBe(gid('Brand', brand.id));
      expect(p.currentGradeScheme.version).toBe(1);
      expect(p.currentGradeScheme.preset).toBe('SNI_ARABICA');
      expect(p.currentGradeScheme.grades.map((g: { code: string }) => g.code)).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(p.currentGradeScheme.grades[3]).toEqual({
        code: '4', label: 'Mutu 4', rank: 4, maxDefectValue: '80', maxMoisturePct: '12.5', minCuppingScore: null,
      });
    });

    it('lets an admin create a product with a custom scheme', async () => {
      const res = await t.gql(CREATE_PRODUCT, { input: productInput(brand.id, { gradeScheme: { grades: CUSTOM_GRADES } }) }, admin.token);
      const p = result(res, 'createProduct', 'Product');
      expect(p.currentGradeScheme.preset).toBeNull();
      expect(p.currentGradeScheme.grades[0]).toMatchObject({ code: 'SPECIALTY', rank: 1, maxDefectValue: '5', minCuppingScore: '80' });
    });

    it('takes the SNI Robusta preset for a Robusta product (grades 4a and 4b)', async () => {
      const res = await t.gql(
        CREATE_PRODUCT,
        { input: productInput(brand.id, { species: 'ROBUSTA', process: 'NATURAL', gradeScheme: { preset: 'SNI_ROBUSTA' } }) },
        manager.token,
      );
      const codes = result(res, 'createProduct', 'Product').currentGradeScheme.grades.map((g: { code: string }) => g.code);
      expect(codes).toEqual(['1', '2', '3', '4a', '4b', '5', '6']);
    });

    for (const role of ['other brand manager', 'curator', 'buyer', 'producer', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const token = { 'other brand manager': otherManager, curator, buyer, producer: producerUser, anonymous: null }[role]?.token ?? null;
        const before = await snapshot(t.database.db);
        const res = await t.gql(CREATE_PRODUCT, { input: productInput(brand.id) }, token);
        const [typename, code] = deniedType(token);
        result(res, 'createProduct', typename, code);
        expect(await snapshot(t.database.db)).toEqual(before);
      });
    }

    it('rejects an unknown species at the GraphQL layer, naming the field, and writes nothing', async () => {
      const before = await snapshot(t.database.db);
      const res = await t.gql(CREATE_PRODUCT, { input: productInput(brand.id, { species: 'LIBERICA' }) }, manager.token);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.message).toMatch(/LIBERICA/);
      expect(res.errors?.[0]?.message).toMatch(/species/);
      expect(await snapshot(t.database.db)).toEqual(before);
    });

    it.each([
      ['an empty name', { name: '' }, ['input.name']],
      ['a Lot ID as brandId', { brandId: gid('Lot', 1) }, ['input.brandId']],
      ['a malformed brandId', { brandId: 'not-an-id' }, ['input.brandId']],
      ['both preset and grades', { gradeScheme: { preset: 'SNI_ARABICA', grades: CUSTOM_GRADES } }, ['input.gradeScheme']],
      ['neither preset nor grades', { gradeScheme: {} }, ['input.gradeScheme']],
      ['a Robusta preset for an Arabica product', { gradeScheme: { preset: 'SNI_ROBUSTA' } }, ['input.gradeScheme.preset']],
      [
        'non-contiguous ranks',
        { gradeScheme: { grades: [CUSTOM_GRADES[0], { ...CUSTOM_GRADES[1], rank: 3 }] } },
        ['input.gradeScheme.grades.1.rank'],
      ],
      [
        'a worse grade allowing fewer defects',
        { gradeScheme: { grades: [CUSTOM_GRADES[0], { ...CUSTOM_GRADES[1], maxDefectValue: '3' }, CUSTOM_GRADES[2]] } },
        ['input.gradeScheme.grades.0.maxDefectValue'],
      ],
      [
        'duplicate codes and a limit with 3 decimals',
        { gradeScheme: { grades: [CUSTOM_GRADES[0], { ...CUSTOM_GRADES[1], code: 'SPECIALTY', maxMoisturePct: '12.555' }] } },
        ['input.gradeScheme.grades.1.code', 'input.gradeScheme.grades.1.maxMoisturePct'],
      ],
    ])('rejects %s with a ValidationError naming the field, writing nothing', async (_name, patch, paths) => {
      const before = await snapshot(t.database.db);
      const res = await t.gql(CREATE_PRODUCT, { input: productInput(brand.id, patch) }, manager.token);
      const err = result(res, 'createProduct', 'ValidationError', 'VALIDATION_FAILED');
      expect(err.issues.map((i: { path: string }) => i.path).sort()).toEqual([...paths].sort());
      expect(await snapshot(t.database.db)).toEqual(before);
    });

    it('answers NotFoundError for an unknown brand', async () => {
      const res = await t.gql(CREATE_PRODUCT, { input: productInput(999999) }, admin.token);
      expect(result(res, 'createProduct', 'NotFoundError', 'NOT_FOUND').path).toBe('input.brandId');
    });
  });

  describe('setGradeScheme', () => {
    it('adds version 2 and leaves version 1 intact', async () => {
      const product = await insertProduct(t.database.db, brand.id);
      const v1Before = await t.database.db
        .selectFrom('grades')
        .innerJoin('grade_schemes', 'grade_schemes.id', 'grades.scheme_id')
        .selectAll('grades')
        .where('grade_schemes.product_id', '=', product.id)
        .orderBy('grades.id')
        .execute();

      const res = await t.gql(SET_SCHEME, { input: { productId: gid('Product', product.id), grades: CUSTOM_GRADES } }, manager.token);
      const v2 = result(res, 'setGradeScheme', 'GradeScheme');
      expect(v2.version).toBe(2);
      expect(v2.preset).toBeNull();
      expect(v2.product.id).toBe(gid('Product', product.id));

      const query = await t.gql(PRODUCT_SCHEMES, { id: gid('Product', product.id) }, curator.token);
      expect(query.data.node.currentGradeScheme.version).toBe(2);
      expect(query.data.node.gradeSchemes.map((s: { version: number }) => s.version)).toEqual([1, 2]);
      expect(query.data.node.gradeSchemes[0].grades.map((g: { code: string }) => g.code)).toEqual(['1', '2', '3', '4', '5', '6']);

      const v1After = await t.database.db
        .selectFrom('grades')
        .selectAll()
        .where('scheme_id', 'in', v1Before.map((g) => g.scheme_id))
        .orderBy('id')
        .execute();
      expect(v1After).toEqual(v1Before);

      // Other modules read the latest version through the service.
      const scheme = await currentScheme(t.database.db, product.id);
      expect(scheme?.version).toBe(2);
      expect(scheme?.grades.map((g) => g.code)).toEqual(['SPECIALTY', 'PREMIUM', 'EXCHANGE']);
      expect(await gradeByCode(t.database.db, product.id, 'PREMIUM')).toMatchObject({ rank: 2, code: 'PREMIUM' });
      expect(await gradeByCode(t.database.db, product.id, '1')).toBeNull();
      await expect(requireGrade(t.database.db, product.id, '4a', 'input.minGrade')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [{ path: 'input.minGrade' }],
      });
      await expect(requireGrade(t.database.db, product.id, 'NOPE', 'input.minGrade')).rejects.toBeInstanceOf(ValidationError);
    });

    it('lets an admin set a preset as version 3', async () => {
      const product = await insertProduct(t.database.db, brand.id);
      result(await t.gql(SET_SCHEME, { input: { productId: gid('Product', product.id), grades: CUSTOM_GRADES } }, admin.token), 'setGradeScheme', 'GradeScheme');
      const v3 = result(
        await t.gql(SET_SCHEME, { input: { productId: gid('Product', product.id), preset: 'SNI_ARABICA' } }, admin.token),
        'setGradeScheme',
        'GradeScheme',
      );
      expect(v3.version).toBe(3);
      expect(v3.preset).toBe('SNI_ARABICA');
    });

    for (const role of ['other brand manager', 'curator', 'buyer', 'producer', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const product = await insertProduct(t.database.db, brand.id);
        const token = { 'other brand manager': otherManager, curator, buyer, producer: producerUser, anonymous: null }[role]?.token ?? null;
        const before = await snapshot(t.database.db);
        const res = await t.gql(SET_SCHEME, { input: { productId: gid('Product', product.id), preset: 'SNI_ARABICA' } }, token);
        const [typename, code] = deniedType(token);
        result(res, 'setGradeScheme', typename, code);
        expect(await snapshot(t.database.db)).toEqual(before);
      });
    }

    it('names bad grades with input.grades.N paths and writes nothing', async () => {
      const product = await insertProduct(t.database.db, brand.id);
      const before = await snapshot(t.database.db);
      const res = await t.gql(
        SET_SCHEME,
        { input: { productId: gid('Product', product.id), grades: [{ ...CUSTOM_GRADES[0], rank: 2 }, { ...CUSTOM_GRADES[1], label: ' ', maxDefectValue: '1000000' }] } },
        manager.token,
      );
      const err = result(res, 'setGradeScheme', 'ValidationError');
      expect(err.issues.map((i: { path: string }) => i.path)).toEqual(
        expect.arrayContaining(['input.grades.1.rank', 'input.grades.1.label', 'input.grades.1.maxDefectValue']),
      );
      expect(await snapshot(t.database.db)).toEqual(before);
      const wrong = await t.gql(SET_SCHEME, { input: { productId: gid('Brand', brand.id), preset: 'SNI_ARABICA' } }, manager.token);
      expect(result(wrong, 'setGradeScheme', 'ValidationError').issues[0].path).toBe('input.productId');
    });
  });

  describe('queries', () => {
    it('shows brands to any signed-in user, with products, in a constant number of statements', async () => {
      for (let i = 0; i < 4; i++) {
        const b = await insertBrand(t.database.db);
        await insertProduct(t.database.db, b.id);
        await insertProduct(t.database.db, b.id);
      }
      // (Nested connections cost page × 10 (edges) × page in the complexity limit, so pages stay small here.)
      t.queries.length = 0;
      const small = await t.gql(BRANDS, { first: 1, products: 2 }, buyer.token);
      expect(small.errors).toBeUndefined();
      const smallCount = t.queries.length;
      t.queries.length = 0;
      const large = await t.gql(BRANDS, { first: 4, products: 2 }, buyer.token);
      expect(large.errors).toBeUndefined();
      expect(large.data.brands.edges.length).toBe(4);
      const productCount = large.data.brands.edges.reduce((n: number, e: { node: { products: { edges: unknown[] } } }) => n + e.node.products.edges.length, 0);
      expect(productCount).toBeGreaterThanOrEqual(2);
      expect(t.queries.length).toBe(smallCount);
    });

    it('pages brands with a cursor', async () => {
      const first = await t.gql(BRANDS, { first: 2, products: 1 }, producerUser.token);
      const after = first.data.brands.pageInfo.endCursor;
      const next = await t.gql(/* GraphQL */ `query($after: String) { brands(first: 2, after: $after) { edges { node { id } } } }`, { after }, producerUser.token);
      const ids = [...first.data.brands.edges, ...next.data.brands.edges].map((e: { node: { id: string } }) => e.node.id);
      expect(new Set(ids).size).toBe(4);
    });

    it('finds a brand by ID and refuses anonymous callers', async () => {
      const res = await t.gql(BRAND, { id: gid('Brand', otherBrand.id) }, buyer.token);
      expect(res.data.brand.id).toBe(gid('Brand', otherBrand.id));
      const unknown = await t.gql(BRAND, { id: gid('Brand', 999999) }, buyer.token);
      expect(unknown).toMatchObject({ data: { brand: null } });
      expect(unknown.errors).toBeUndefined();
      const anon = await t.gql(BRAND, { id: gid('Brand', otherBrand.id) }, null);
      expect(anon.data?.brand ?? null).toBeNull();
      expect(anon.errors?.[0]?.extensions?.code ?? anon.errors?.[0]?.message).toBeTruthy();
    });
  });
});
