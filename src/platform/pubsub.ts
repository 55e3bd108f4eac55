import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import type { MQEmitter } from 'mqemitter';
import type { Config } from '../config.js';

const require = createRequire(import.meta.url);

/**
 * The emitter behind GraphQL subscriptions: in-process (mqemitter) when embedded, Redis
 * (mqemitter-redis) when REDIS_URL is set, so a subscriber on one node hears an event published by
 * another node or by a separate worker process. Topics carry REDIS_KEY_PREFIX, so deployments (and
 * test runs) sharing a Redis do not hear each other.
 */
export function createEmitter(
  config: Config,
  onError: (error: unknown) => void = () => {},
): MQEmitter & { close(cb: () => void): void } {
  if (config.redisUrl) {
    type RedisEmitter = MQEmitter & {
      close(cb: () => void): void;
      _close(cb: () => void): void;
      closing: boolean;
      state: import('node:events').EventEmitter;
    };
    const MQEmitterRedis = require('mqemitter-redis') as (opts: object) => RedisEmitter;
    // Our own connections, so that a Redis outage neither crashes the process nor holds a close:
    // the subscriber queues its SUBSCRIBEs until Redis is back (ioredis re-subscribes on reconnect);
    // the publisher fails at once while disconnected (a lost live message; webhooks are unaffected).
    const subConn = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
    const pubConn = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const emitter = MQEmitterRedis({ subConn, pubConn });
    // mqemitter-redis re-emits connection errors on `state`; unheard, they would be uncaught exceptions.
    emitter.state.on('error', onError);
    const close = emitter.close.bind(emitter);
    emitter.close = (cb: () => void) => {
      if (subConn.status === 'ready' && pubConn.status === 'ready') return close(cb); // quits both, waits for 'end'
      // A connection that is not up would make that wait for Redis forever: drop both connections
      // and close the emitter itself (mqemitter-redis keeps MQEmitter's close as _close).
      emitter.closing = true;
      subConn.disconnect();
      pubConn.disconnect();
      emitter._close(cb);
    };
    return emitter;
  }
  const mq = require('mqemitter') as () => MQEmitter & { close(cb: () => void): void };
  return mq();
}

export const topicPrefix = (config: Config) => `${config.redisKeyPrefix}events:`;

/** Publish a message the way Mercurius's PubSub does (`{ topic, payload }`). */
export function publish(emitter: MQEmitter, topic: string, payload: unknown): Promise<void> {
  return new Promise((resolve, reject) => emitter.emit({ topic, payload }, (err?: Error | null) => (err ? reject(err) : resolve())));
}
