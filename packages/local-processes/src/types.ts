export interface RedisHandle {
  url: string;
  stop(): Promise<void>;
}
