import { builder } from './builder.js';
import './scalars.js';
import './telco.js';
import './package.js';
import './order.js';
import './order-totals.js';
import './oa-package.js';
import './errors.js';
import './subscriber.js';
import './sales.js';
import './vas.js';
import './vas-totals.js';
import './voice-call.js';
import './phone-verification.js';

export const schema = builder.toSchema({ sortSchema: true });
