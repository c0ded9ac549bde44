// Types of the layer rule (scripts/lint/layers.js stays plain JS so eslint.config.js can load it
// without a TypeScript loader).
import type { ESLint, Rule } from 'eslint';

export declare const LAYERS: Readonly<Record<string, readonly string[]>>;
export declare function layerOf(pathInSrc: string): string | undefined;
export declare const layersRule: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
