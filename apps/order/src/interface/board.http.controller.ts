import { DRINKS, MAX_CUSTOMER_NAME, MAX_LINE_ITEMS, MAX_QUANTITY, SIZES } from '@app/contracts';
import type { TransportKind } from '@app/platform';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type BoardFile, readBoardFiles } from '../board-assets';
import { OrderConfig } from '../order.config';

/** What the board page reads at start: the transport it shows, where pager's buzzes stream, the menu. */
export interface BoardConfig {
  readonly transport: TransportKind;
  readonly pagerStreamUrl: string;
  readonly menu: {
    readonly drinks: readonly string[];
    readonly sizes: readonly string[];
    readonly maxQuantity: number;
    readonly maxLineItems: number;
    readonly maxCustomerName: number;
  };
}

/**
 * Pager's buzz stream as the browser reaches it: BOARD_PAGER_URL, else PAGER_URL's first URL
 * (right when the browser runs where the shop does); a path (`/`) keeps it on the board's own
 * origin, as behind a gateway that routes `/buzzes*` to pager.
 */
export function pagerStreamUrl(config: OrderConfig): string {
  const base = config.BOARD_PAGER_URL ?? config.PAGER_URL.split(',')[0];
  return `${base.replace(/\/+$/, '')}/buzzes/stream`;
}

export function boardConfig(config: OrderConfig): BoardConfig {
  return {
    transport: config.TRANSPORT,
    pagerStreamUrl: pagerStreamUrl(config),
    menu: {
      drinks: DRINKS,
      sizes: SIZES,
      maxQuantity: MAX_QUANTITY,
      maxLineItems: MAX_LINE_ITEMS,
      maxCustomerName: MAX_CUSTOMER_NAME,
    },
  };
}

/**
 * The live board: a page that follows `/orders/stream` and pager's `/buzzes/stream`. The page's
 * own files and settings, not part of the API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('board')
export class BoardHttpController {
  private readonly files: Record<BoardFile, string> = readBoardFiles();
  private readonly config: BoardConfig;

  constructor(config: OrderConfig) {
    this.config = boardConfig(config);
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return this.files['board.html'];
  }

  @Get('board.css')
  @Header('content-type', 'text/css; charset=utf-8')
  styles(): string {
    return this.files['board.css'];
  }

  @Get('board.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  script(): string {
    return this.files['board.js'];
  }

  @Get('config')
  settings(): BoardConfig {
    return this.config;
  }
}
