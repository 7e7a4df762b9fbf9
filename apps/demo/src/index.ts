export { createDemoApp, ProviderError, type DemoAppOptions } from './app';
export { createCache, type DemoCache } from './cache';
export { startDemoStack, type DemoStack, type DemoStackOptions } from './demo-stack';
export { createImgproxySimulator, IMGPROXY_METRICS, IMGPROXY_PHASES, imgproxySample, type ImgproxyPhaseName } from './imgproxy-simulator';
export { startProviderStandIns, type ProviderStandIns } from './provider-stand-ins';
export { createClient, PLANTED, runFixedScenario, startTraffic, type ScenarioReport } from './scenario';
export { formatSummary, parseClickHouseTime, queryCollector, summarize, type DemoSummary } from './summary';
