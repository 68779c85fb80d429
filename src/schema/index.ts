import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './telco.js';
import './package.js';
import './subscriber.js';

export const schema = builder.toSchema({ sortSchema: true });
