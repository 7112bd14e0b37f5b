/** A gankit command: its name, its line in `gankit --help`, its own help, and what it does (the exit code). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The text of `gankit NAME --help`. */
  help(): string;
  run(argv: string[]): Promise<number> | number;
}
