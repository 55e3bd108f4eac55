import pg from 'pg';

export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export const adminPool = (baseUrl: string) => new pg.Pool({ connectionString: baseUrl, max: 2 });
