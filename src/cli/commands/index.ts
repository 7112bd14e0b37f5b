/** The table of gankit's commands, in the order of `gankit --help`. */
import type { Command } from '../command.js';
import { train } from './train.js';
import { resume } from './resume.js';
import { sample } from './sample.js';
import { evaluate } from './eval.js';
import { losses } from './losses.js';
import { featnet } from './featnet.js';
import { study } from './study.js';
import { runs } from './runs.js';
import { compare } from './compare.js';
import { sweep } from './sweep.js';
import { worker } from './worker.js';
import { info } from './info.js';
import { exportCommand } from './export.js';
import { pretrained } from './pretrained.js';
import { playground } from './playground.js';

export const COMMANDS: readonly Command[] = [train, resume, sample, evaluate, exportCommand, pretrained, playground, losses, featnet, study, sweep, worker, runs, compare, info];
