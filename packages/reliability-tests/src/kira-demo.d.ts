// @kira/demo is a private app without type declarations or an `exports` map; these are the parts
// of its dist/index.js the secrets test reuses (see apps/demo/src/demo-stack.ts and scenario.ts).
declare module '@kira/demo/dist/index.js' {
  export interface DemoStack {
    collectorUrl: string;
    serviceUrl: string;
    providerApiKey: string;
    jwtSecret: string;
    stopService(): Promise<number | null>;
    stop(): Promise<void>;
  }
  export function startDemoStack(options?: { dataDir?: string; metricIntervalMs?: number; log?: (line: string) => void }): Promise<DemoStack>;
  export const PLANTED: { toolApiKey: string; password: string; base64Image: string };
}
