/** Every attack Eve runs, in report order. */
import type { Attack } from '../attack.ts';
import { disclosure } from './disclosure.ts';
import { ipdMatching } from './ipd-matching.ts';
import { packetCounting } from './packet-counting.ts';
import { sizeCorrelation } from './size-correlation.ts';
import { timingCorrelation } from './timing-correlation.ts';

export const ATTACKS: readonly Attack[] = [sizeCorrelation, timingCorrelation, packetCounting, ipdMatching, disclosure];
