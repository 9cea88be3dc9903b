import { IntRange, IsPort, OnOff, type Switch } from '@app/platform';
import { IsDatabasePath, StoreConfig } from '@app/storage';
import { IsOptional, Matches } from 'class-validator';

/** The barista app's environment: its port, how long a brew takes and how many run at once. */
export class BaristaConfig extends StoreConfig {
  @IsPort()
  public readonly BARISTA_PORT: number = 3001;

  /** How long one order takes to brew. */
  @IntRange(0, 600000, 'milliseconds')
  public readonly BREW_MS: number = 1000;

  /** How many orders brew at once; further orders wait their turn. */
  @IntRange(1, 1000)
  public readonly ESPRESSO_MACHINES: number = 2;

  /** Names this barista in its events; defaults to host and pid. */
  @IsOptional()
  @Matches(/^[\w.:-]{1,64}$/, { message: 'accepts 1-64 letters, digits, dots, dashes or colons' })
  public readonly BARISTA_ID?: string;

  /**
   * Unacknowledged messages one barista holds. Defaults to twice ESPRESSO_MACHINES: enough that
   * a machine never idles while the previous order's CoffeeBrewed awaits its confirm, few enough
   * that competing baristas share the queue fairly instead of one hoarding it.
   */
  @IsOptional()
  @IntRange(1, 10000)
  public readonly BARISTA_PREFETCH?: number;

  /**
   * The brew log's SQLite file. Unset: `data/barista-<BARISTA_ID or host name>.sqlite`, so a
   * barista finds its log again after a restart, and baristas with one name share one file.
   */
  @IsOptional()
  @IsDatabasePath()
  public readonly BARISTA_DB_PATH?: string;

  /**
   * PostgreSQL (baristas sharing one brew log): how long a barista's claim on the order it brews
   * lasts unless renewed (it renews a third of the way). If it dies mid-brew, a redelivery of
   * the order waits this long at most before another barista brews it.
   */
  @IntRange(300, 600000, 'milliseconds')
  public readonly BREW_CLAIM_LEASE_MS: number = 3000;

  /**
   * `on` opens `PUT /faults/brew-slowdown`, which multiplies the brew time at run time (the
   * benchmark's `barista-slow` fault). Off by default: a shop in use has no such switch.
   */
  @OnOff()
  public readonly FAULT_INJECTION: Switch = 'off';
}
