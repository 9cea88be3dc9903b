import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { BrewLog } from '../../domain/brew-log';
import { EspressoMachines } from '../../domain/espresso-machines';
import { type BarStatus, GetBarStatusQuery } from './get-bar-status.query';

@QueryHandler(GetBarStatusQuery)
export class GetBarStatusHandler implements IQueryHandler<GetBarStatusQuery> {
  constructor(
    private readonly log: BrewLog,
    private readonly machines: EspressoMachines,
  ) {}

  async execute({ limit }: GetBarStatusQuery): Promise<BarStatus> {
    const { brews, total } = await this.log.latest(limit);
    const { count, busy, queued } = this.machines;
    return { machines: count, busy, queued, total, brews };
  }
}
