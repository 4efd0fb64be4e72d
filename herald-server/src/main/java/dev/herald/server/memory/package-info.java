/**
 * Memory caps shared by several parts of the node (a bottom package: it depends on nothing of
 * Herald's).
 */
package dev.herald.server.memory;
