// Fills a sidecar's missing requests/limits from the platform defaults, field by field, without
// ever producing a request above its limit: a filled limit is raised to the user's request, a
// filled request is lowered to the user's limit. What the user wrote is never changed.
import type { Resources } from '../config/config.js';
import { isObject, type Json, type JsonObject } from '../json.js';
import { compareQuantities, parseQuantity } from '../kube/quantity.js';

function listOf(value: Json | undefined): JsonObject {
  return isObject(value) ? value : {};
}

/** resources: the user's (already validated) resources object, or undefined. */
export function fillResources(resources: Json | undefined, defaults: Resources): JsonObject {
  const given = listOf(resources);
  const requests: JsonObject = { ...listOf(given.requests) };
  const limits: JsonObject = { ...listOf(given.limits) };
  const userRequests = listOf(given.requests);
  const userLimits = listOf(given.limits);

  for (const [name, fallback] of Object.entries(defaults.requests)) {
    if (Object.hasOwn(userRequests, name)) continue;
    const limit = Object.hasOwn(userLimits, name) ? userLimits[name] : undefined;
    const limitQ = limit === undefined ? null : parseQuantity(limit);
    const fallbackQ = parseQuantity(fallback);
    requests[name] = limitQ !== null && fallbackQ !== null && compareQuantities(fallbackQ, limitQ) > 0 ? (limit as Json) : fallback;
  }
  for (const [name, fallback] of Object.entries(defaults.limits)) {
    if (Object.hasOwn(userLimits, name)) continue;
    const request = Object.hasOwn(userRequests, name) ? userRequests[name] : undefined;
    const requestQ = request === undefined ? null : parseQuantity(request);
    const fallbackQ = parseQuantity(fallback);
    limits[name] = requestQ !== null && fallbackQ !== null && compareQuantities(fallbackQ, requestQ) < 0 ? (request as Json) : fallback;
  }
  // Keep whatever else the user put in resources (claims), in the user's key order.
  return { ...given, requests, limits };
}
