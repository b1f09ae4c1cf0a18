// The shapes JSON can take. Objects from the wire stay in these types until a parser has
// checked them, so nothing on the data path pretends to know more than it does.
export type JsonPrimitive = null | boolean | number | string;
export type Json = JsonPrimitive | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
