import { CoffeeBrewed } from '@app/contracts';
import { messageValidationPipe } from '@app/messaging';
import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import type { Buzz } from '../../../domain/buzz';
import { BuzzCustomerCommand } from './buzz-customer.command';

/** TRANSPORT=http: order tells the pager that a coffee is ready by posting CoffeeBrewed. */
@Controller('buzzes')
export class BuzzCustomerHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** 201 for a new buzz; 200 with the earlier buzz when this order was buzzed already. */
  @Post()
  async buzz(
    @Body(messageValidationPipe()) brewed: CoffeeBrewed,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buzz> {
    const { buzz, repeated } = await this.commands.execute(new BuzzCustomerCommand(brewed));
    reply.status(repeated ? 200 : 201);
    return buzz;
  }
}
