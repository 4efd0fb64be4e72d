/**
 * Background work shared by several parts of the node: {@link dev.herald.server.work.SingleWorker},
 * one task at a time draining a queue (a bottom package: it depends on nothing of Herald's).
 */
package dev.herald.server.work;
