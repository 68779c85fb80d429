import { randomInt } from 'node:crypto';
import { packagesForTelco } from '../../domain/catalog.js';
import { detectTelco } from '../../domain/phone.js';
import {
  json,
  route,
  SANDBOX_OTP,
  type SimReply,
  SimulatorServer,
  sandbox,
} from '../simulator-kit.js';
import {
  ALREADY_REGISTERED_CODE,
  type DmallTelco,
  GET_OTP_PATH,
  GetOtpRequest,
  REGISTER_PATH,
  RegisterRequest,
} from './wire.js';

const PRODUCT_TYPE = 'CALL/SMS';
const OTP_VALIDITY_MS = 10 * 60_000;

interface SimOrder {
  orderCode: string;
  telcoTransId: string;
  phone: string;
  productCode: string;
  createdAt: number;
  registered: boolean;
  registerCalls: number;
}

export interface DmallSimulatorOptions {
  apiKey: string;
  hangMs?: number;
}

/**
 * A dmall partner API that behaves like the real one: checks the api-key and body, checks the
 * telco/product pair, issues DG order codes and telco transaction ids, accepts the sandbox OTP
 * for the right order only, and refuses a second registration of an order.
 *
 * Magic phone numbers (last seven digits): 0000001 rejects, 0000002 answers 503, 0000003 hangs,
 * 0000004 answers garbage, all at get-otp; 0000005 registers then hangs on the first
 * register_with_otp (the reply is lost, the package is active); 0000006 hangs without registering
 * on the first register_with_otp.
 */
export function createDmallSimulator(options: DmallSimulatorOptions): SimulatorServer & {
  orders: Map<string, SimOrder>;
  /**
   * When set, the next get-otp answers with this order code even if an order already has it
   * (then it is cleared): a dmall that reuses a code, for tests.
   */
  reuseOrderCode: string | null;
} {
  const orders = new Map<string, SimOrder>();
  /** A code no order of this simulator has: six random digits per second can repeat. */
  const uniqueOrderCode = (): string => {
    const forced = simulator.reuseOrderCode;
    if (forced !== null) {
      simulator.reuseOrderCode = null;
      return forced;
    }
    let code = newOrderCode();
    while (orders.has(code)) code = newOrderCode();
    return code;
  };

  const fail = (status: number, errorCode: number, message: string): SimReply =>
    json(status, { success: false, errorCode, message, data: null });

  const server = new SimulatorServer({
    name: 'dmall',
    ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
    authorize: (req) =>
      req.headers['api-key'] === options.apiKey
        ? null
        : fail(401, 401, 'api-key không hợp lệ (invalid api-key)'),
    badRequest: (message) => fail(400, 400, `Dữ liệu không hợp lệ: ${message}`),
    routes: [
      route({
        method: 'POST',
        path: GET_OTP_PATH,
        format: 'json',
        input: GetOtpRequest,
        handle: (body) => {
          const refused = sandbox(body.phone).failure(() =>
            fail(200, 1001, 'Thuê bao không đủ điều kiện đăng ký gói cước'),
          );
          if (refused) return refused;
          if (!sells(body.telcoCode, body.productCode)) {
            return fail(
              200,
              1002,
              `Gói cước ${body.productCode} không hỗ trợ cho ${body.telcoCode}`,
            );
          }
          if (detectTelco(body.phone.slice(1)) !== body.telcoCode) {
            return fail(200, 1003, `Thuê bao không thuộc nhà mạng ${body.telcoCode}`);
          }
          const order: SimOrder = {
            orderCode: uniqueOrderCode(),
            telcoTransId: String(randomInt(100_000_000, 999_999_999)),
            phone: body.phone,
            productCode: body.productCode,
            createdAt: Date.now(),
            registered: false,
            registerCalls: 0,
          };
          orders.set(order.orderCode, order);
          return json(200, {
            data: { orderCode: order.orderCode, telcoTransId: order.telcoTransId },
            errorCode: 200,
            message: 'Tạo giao dịch thành công',
            success: true,
          });
        },
      }),
      route({
        method: 'POST',
        path: REGISTER_PATH,
        format: 'json',
        input: RegisterRequest,
        handle: (body) => {
          const order = orders.get(body.orderCode);
          if (!order) return fail(200, 1004, 'Không tìm thấy giao dịch');
          order.registerCalls += 1;
          const sandboxed = sandbox(order.phone);
          if (order.registered) {
            return fail(200, Number(ALREADY_REGISTERED_CODE), 'Giao dịch đã được đăng ký trước đó');
          }
          if (Date.now() - order.createdAt > OTP_VALIDITY_MS) {
            return fail(200, 1005, 'Mã OTP đã hết hạn');
          }
          if (body.otp !== SANDBOX_OTP) {
            return fail(200, 1006, 'Mã OTP không chính xác');
          }
          sandboxed.hangIf('hang-once', order.registerCalls === 1);
          order.registered = true;
          sandboxed.hangIf('act-then-hang', order.registerCalls === 1);
          return json(200, {
            success: true,
            errorCode: 200,
            message: 'Đăng ký gói cước thành công',
            data: { type: PRODUCT_TYPE, code: order.productCode },
          });
        },
      }),
    ],
  });
  const simulator = Object.assign(server, { orders, reuseOrderCode: null as string | null });
  return simulator;
}

/** The packages dmall sells in the sandbox: the catalog's, for the carriers dmall serves. */
function sells(telco: DmallTelco, productCode: string): boolean {
  return packagesForTelco(telco).some((p) => p.code === productCode);
}

function newOrderCode(): string {
  // DG + yyyyMMddHHmmss (Vietnam time) + 6 digits, like DG20231113172059456724.
  const vn = new Date(Date.now() + 7 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `DG${vn}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}
