/** The sensitivity levels (config `defaults.sensitivity`, `--sensitivity`): apart from the schema, so that
 * `detect`, which reads no config, checks its flag without loading the config's validators. */
export type Sensitivity = 'low' | 'medium' | 'high';
export const SENSITIVITIES: readonly Sensitivity[] = ['low', 'medium', 'high'];
