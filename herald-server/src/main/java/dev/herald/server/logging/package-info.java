/**
 * Logging helpers every layer may use: a count of refusals that is logged at most once per
 * interval, so an attack or an overload costs one line, not one per request.
 *
 * <p>A bottom package: depends on nothing of Herald.
 */
package dev.herald.server.logging;
