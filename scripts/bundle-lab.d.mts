export declare const DEFAULT_OUT_DIR: string;
export declare function bundleLab(options?: { outDir?: string; workerOnly?: boolean }): Promise<{ worker: string; cli?: string }>;
