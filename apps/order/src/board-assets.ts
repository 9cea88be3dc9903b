import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The live board's files (plain HTML, CSS and JavaScript, no build step). This module sits at the
 * root of the app's sources so that `__dirname` names the folder holding `board/` both when run
 * from source (apps/order/src) and from the bundle (dist/apps/order, where nest-cli.json's
 * `assets` copies them).
 */
export const BOARD_FILES = ['board.html', 'board.css', 'board.js'] as const;
export type BoardFile = (typeof BOARD_FILES)[number];

export function readBoardFiles(dir = join(__dirname, 'board')): Record<BoardFile, string> {
  const read = (name: BoardFile) => readFileSync(join(dir, name), 'utf8');
  return {
    'board.html': read('board.html'),
    'board.css': read('board.css'),
    'board.js': read('board.js'),
  };
}
