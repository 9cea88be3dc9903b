import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

/** Thrown when the environment does not describe a runnable app; its message is one line. */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';
}

type ConfigClass<T> = new () => T;

/**
 * Reads the variables that `schema` declares (and only those) from `env`, applies the class's
 * defaults, converts them to the declared types and validates them. An empty variable counts as
 * unset. Throws a {@link ConfigError} naming every variable that is wrong and what it accepts.
 */
export function loadConfig<T extends object>(
  schema: ConfigClass<T>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const names = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(schema, '', true, false)
      .map((m) => m.propertyName),
  );
  const given: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') given[name] = value.trim();
  }
  const config = plainToInstance(schema, given, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(describe(errors, given));
  return Object.freeze(config);
}

function describe(errors: ValidationError[], given: Record<string, string>): string {
  const parts = errors.map((error) => {
    const value = given[error.property];
    const shown = value === undefined ? 'is not set' : `=${JSON.stringify(value)}`;
    const accepts = [...new Set(Object.values(error.constraints ?? {}))].join(', ');
    return `${error.property}${value === undefined ? ' ' : ''}${shown}: ${accepts}`;
  });
  return `Invalid configuration: ${parts.join('; ')}`;
}
