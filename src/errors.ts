/**
 * Errors caused by what the user gave gankit (an option, a config field, a data file, a run
 * folder). The CLI prints their message — which names the field or file — as one line and exits
 * with code 2; anything else is a bug and shows its stack.
 */
export class InputError extends Error {}

/**
 * A run that stopped before its end for a reason the run folder records (it diverged; a file
 * could not be written): the CLI prints the message and exits with code 3; the last good
 * checkpoint is kept.
 */
export class RunStoppedError extends Error {}

/** A config field with a bad value: the message starts with the field's path (`optimizerD.lr: …`). */
export class ConfigError extends InputError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
