/** Pieces every part of the OpenAPI description shares (data only). */
export const error = {
  description: 'An error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
/** Error responses for the given statuses, each the JSON error body. */
export function errors(...statuses: number[]): Record<string, typeof error> {
  return Object.fromEntries(statuses.map((status) => [String(status), error]));
}
export const csrf = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: false,
  description: 'Required on state-changing requests authenticated by the session cookie',
  schema: { type: 'string' },
};
export const query = (name: string, type: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type },
});
export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
export const json = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  content: { 'application/json': { schema: { type: 'object', properties, required } } },
});
