import type { CoffeeBrewed } from '@app/contracts';
import { Query } from '@nestjs/cqrs';

export interface BarStatus {
  readonly machines: number;
  readonly busy: number;
  readonly queued: number;
  readonly total: number;
  readonly brews: CoffeeBrewed[];
}

/** The bar as it is now: machines busy, orders waiting, and the newest brews. */
export class GetBarStatusQuery extends Query<BarStatus> {
  constructor(public readonly limit: number) {
    super();
  }
}
