import { Matches } from 'class-validator';

/** A config variable naming a database file: any path, or `:memory:` (gone with the process). */
export const IsDatabasePath = (): PropertyDecorator =>
  Matches(/^[^\0\n]+$/, { message: 'accepts a file path (or :memory:)' });
