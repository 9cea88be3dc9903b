import { LineItem } from '@app/contracts';
import { namedSchema, schemaRef } from '@app/platform';
import { HOPS } from '../application/ports/order-events.port';
import { ORDER_STATUSES } from '../domain/order';

/** An order as the API shows it (`OrderView`). */
export const ORDER_VIEW_SCHEMA = namedSchema('OrderView', {
  type: 'object',
  required: ['id', 'customer', 'items', 'status', 'history', 'correlationId'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    customer: { type: 'string' },
    items: { type: 'array', items: schemaRef(LineItem) },
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    history: {
      type: 'array',
      description: 'Each status reached, oldest first.',
      items: {
        type: 'object',
        required: ['status', 'at'],
        properties: {
          status: { type: 'string', enum: [...ORDER_STATUSES] },
          at: { type: 'string', format: 'date-time' },
          reason: { type: 'string', description: 'Why, for a failure (which hop, what happened).' },
        },
      },
    },
    correlationId: { type: 'string' },
  },
});

/** One status change of one order, as `GET /orders/stream` sends it (`OrderStatusUpdate`). */
export const ORDER_STATUS_UPDATE_SCHEMA = namedSchema('OrderStatusUpdate', {
  type: 'object',
  required: ['id', 'customer', 'items', 'status', 'at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    customer: { type: 'string' },
    items: { type: 'array', items: schemaRef(LineItem) },
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    at: { type: 'string', format: 'date-time' },
    reason: { type: 'string', description: 'Why, for a failure (which hop, what happened).' },
  },
});

/** 503/504 from POST /orders: a hop failed; the order is kept, marked failed. */
export const HAND_OVER_FAILED_SCHEMA = namedSchema('HandOverFailed', {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'hop', 'orderId'],
  properties: {
    statusCode: { type: 'integer', enum: [503, 504] },
    error: { type: 'string', enum: ['Service Unavailable', 'Gateway Timeout'] },
    message: { type: 'string' },
    hop: { type: 'string', enum: [...HOPS] },
    orderId: { type: 'string', format: 'uuid' },
  },
});
