export declare const OPA_VERSION: string;
export declare const OPA_MODULE: string;
export declare const toolsBin: string;
export declare function opaVersionOf(binary: string): string | undefined;
export declare function installOpa(): string;
