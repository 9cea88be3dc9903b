import { LineItem } from '@app/contracts';
import { namedSchema, schemaRef } from '@app/platform';
import { HOPS } from '../application/ports/hop-failed.error';
import { ORDER_STATUSES } from '../domain/order';

/** What an order and each change of it show of the order. */
const ORDER_FIELDS = {
  id: { type: 'string', format: 'uuid' },
  customer: { type: 'string' },
  items: { type: 'array', items: schemaRef(LineItem) },
  status: { type: 'string', enum: [...ORDER_STATUSES] },
};

/** One status change (`StatusChange`). */
const STATUS_CHANGE_FIELDS = {
  status: { type: 'string', enum: [...ORDER_STATUSES] },
  at: { type: 'string', format: 'date-time' },
  reason: { type: 'string', description: 'Why, for a failure (which hop, what happened).' },
};

/** An order as the API shows it (`OrderView`). */
export const ORDER_VIEW_SCHEMA = namedSchema('OrderView', {
  type: 'object',
  required: ['id', 'customer', 'items', 'status', 'history', 'correlationId'],
  properties: {
    ...ORDER_FIELDS,
    history: {
      type: 'array',
      description: 'Each status reached, oldest first.',
      items: { type: 'object', required: ['status', 'at'], properties: STATUS_CHANGE_FIELDS },
    },
    correlationId: { type: 'string' },
  },
});

/** One status change of one order, as `GET /orders/stream` sends it (`OrderStatusUpdate`). */
export const ORDER_STATUS_UPDATE_SCHEMA = namedSchema('OrderStatusUpdate', {
  type: 'object',
  required: ['id', 'customer', 'items', 'status', 'at'],
  properties: { ...ORDER_FIELDS, ...STATUS_CHANGE_FIELDS },
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
