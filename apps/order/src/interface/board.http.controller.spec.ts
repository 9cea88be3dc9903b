import 'reflect-metadata';
import { DRINKS, SIZES } from '@app/contracts';
import { loadConfig } from '@app/platform';
import { BOARD_FILES, readBoardFiles } from '../board-assets';
import { OrderConfig } from '../order.config';
import { BoardHttpController, boardConfig, pagerStreamUrl } from './board.http.controller';

const config = (env: Record<string, string> = {}) => loadConfig(OrderConfig, env);

describe('the live board', () => {
  it.each([
    [{}, 'http://127.0.0.1:3002/buzzes/stream'],
    [{ PAGER_URL: 'http://pager:3002' }, 'http://pager:3002/buzzes/stream'],
    [{ PAGER_URL: 'http://pager-1:3002,http://pager-2:3002' }, 'http://pager-1:3002/buzzes/stream'],
    [
      { PAGER_URL: 'http://pager:3002', BOARD_PAGER_URL: 'http://localhost:3002/' },
      'http://localhost:3002/buzzes/stream',
    ],
    [{ BOARD_PAGER_URL: '/' }, '/buzzes/stream'],
    [{ BOARD_PAGER_URL: '/pager' }, '/pager/buzzes/stream'],
  ])('follows pager from %j at %s', (env, url) => {
    expect(pagerStreamUrl(config(env))).toBe(url);
  });

  it('tells the page the transport and the menu the counter accepts', () => {
    expect(boardConfig(config({ TRANSPORT: 'rmq' }))).toMatchObject({
      transport: 'rmq',
      menu: { drinks: DRINKS, sizes: SIZES },
    });
  });

  it('serves its page, which loads its own style and script', () => {
    const board = new BoardHttpController(config());

    expect(board.page()).toContain('<script src="/board/board.js"');
    expect(board.page()).toContain('href="/board/board.css"');
    expect(board.script()).toContain("new EventSource('/orders/stream')");
    expect(board.styles()).toContain('.card');
  });

  it('reads every file it serves', () => {
    const files = readBoardFiles();

    for (const name of BOARD_FILES) expect(files[name].length).toBeGreaterThan(100);
  });
});
