import { createRequire } from 'node:module';
import type { MQEmitter } from 'mqemitter';
import type { Config } from '../config.js';

const require = createRequire(import.meta.url);

/**
 * The emitter behind GraphQL subscriptions: in-process (mqemitter) when embedded, Redis
 * (mqemitter-redis) when REDIS_URL is set, so a subscriber on one node hears an event published by
 * another node or by a separate worker process. Topics carry REDIS_KEY_PREFIX, so deployments (and
 * test runs) sharing a Redis do not hear each other.
 */
export function createEmitter(config: Config): MQEmitter & { close(cb: () => void): void } {
  if (config.redisUrl) {
    const MQEmitterRedis = require('mqemitter-redis') as (opts: object) => MQEmitter & { close(cb: () => void): void };
    return MQEmitterRedis({ connectionString: config.redisUrl, maxRetriesPerRequest: 2 });
  }
  const mq = require('mqemitter') as () => MQEmitter & { close(cb: () => void): void };
  return mq();
}

export const topicPrefix = (config: Config) => `${config.redisKeyPrefix}events:`;

/** Publish a message the way Mercurius's PubSub does (`{ topic, payload }`). */
export function publish(emitter: MQEmitter, topic: string, payload: unknown): Promise<void> {
  return new Promise((resolve, reject) => emitter.emit({ topic, payload }, (err?: Error | null) => (err ? reject(err) : resolve())));
}
