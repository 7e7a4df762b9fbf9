export { freePort } from './free-port';
export { startChild, stopAllChildren, type Child } from './start-child';
export { ping, startRedis } from './start-redis';
export type { RedisHandle } from './types';
