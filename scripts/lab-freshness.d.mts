export declare function bundleIsCurrent(root: string, outputs: string[]): boolean;
