/* eslint-disable */
/**
 * generated, do not edit: produced by `npm run gen:types` (scripts/gen-types.ts) from src/schema/*.schema.json.
 * Change the schemas and regenerate instead.
 */
import type { ErrorObject } from 'ajv';

export type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export declare const ActionMap: CompiledValidator;
export declare const ClientSet: CompiledValidator;
export declare const Config: CompiledValidator;
export declare const ExceptionSet: CompiledValidator;
export declare const ScopeSet: CompiledValidator;
